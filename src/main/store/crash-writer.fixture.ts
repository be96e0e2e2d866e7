// Child process for the crash test: commits numbered saves, announces each, then starts a
// long save that the test kills part-way through. Run: node --import tsx crash-writer.fixture.ts <dir>
import { createMask } from '../../shared/labelmap/mask';
import { NEW_SEGMENT_DEFAULTS, type Segment } from '../../shared/labelmap/segments';
import { Workspace } from './workspace';

export const CRASH_STUDY = { key: 'crash-series', sourcePath: '/data/crash', width: 512, height: 512, frameCount: 64 };

/** Save number n: one segment per earlier save, segment k painting row k of frame k. */
export function savedSegments(n: number): Segment[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i + 1;
    const masks = Array.from({ length: CRASH_STUDY.frameCount }, () => createMask(512, 512));
    masks[k]?.data.fill(1, k * 512, k * 512 + 100 + k);
    return {
      id: `seg-${k}`,
      name: `Save ${k}`,
      color: [k, 0, 0],
      ...NEW_SEGMENT_DEFAULTS,
      masks,
    };
  });
}

/** Many segments sharing incompressible frames: a save that writes tens of MiB and takes seconds. */
function noiseSegments(count: number): Segment[] {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed >> 16;
  };
  const masks = Array.from({ length: CRASH_STUDY.frameCount }, () => {
    const m = createMask(512, 512);
    for (let p = 0; p < m.data.length; p++) m.data[p] = random() & 1;
    return m;
  });
  const template = savedSegments(1)[0] as Segment;
  return Array.from({ length: count }, (_, i) => ({ ...template, id: `noise-${i}`, name: 'noise', masks }));
}

if (process.argv[2]) {
  const ws = new Workspace(process.argv[2]);
  ws.putStudy(CRASH_STUDY);
  for (let n = 1; n <= 5; n++) {
    ws.saveSegments(CRASH_STUDY.key, savedSegments(n), [{ segmentUid: `seg-${n}`, action: `save ${n}` }]);
    process.stdout.write(`committed ${n}\n`);
  }
  const noise = noiseSegments(40);
  process.stdout.write('big-save-started\n');
  ws.saveSegments(CRASH_STUDY.key, [...savedSegments(5), ...noise]);
  process.stdout.write('big-save-done\n');
  ws.close();
}
