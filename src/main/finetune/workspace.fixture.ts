// A workspace for fine-tuning tests: radiographs written as PNGs, each with a saved AI segment whose
// proposal the "clinician" corrected, plus one AI answer left as proposed, one hand-drawn segment with
// a prompt and one without.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMask, type Mask } from '../../shared/labelmap/mask';
import type { Segment } from '../../shared/labelmap/segments';
import { encodePngGrey } from '../imaging/raster';
import { Workspace } from '../store/workspace';

export const FIXTURE_SIZE = { width: 40, height: 32 };

function square(x0: number, y0: number, side: number): Mask {
  const m = createMask(FIXTURE_SIZE.width, FIXTURE_SIZE.height);
  for (let y = y0; y < y0 + side; y++) m.data.fill(1, y * m.width + x0, y * m.width + x0 + side);
  return m;
}

function segment(id: string, mask: Mask, extra: Partial<Segment>): Segment {
  return {
    id,
    name: id,
    color: [255, 0, 0],
    visible: true,
    locked: false,
    opacity: 0.5,
    outline: false,
    source: 'manual',
    masks: [mask],
    ...extra,
  };
}

/** Writes `corrected` corrected radiographs (+ one uncorrected, one hand-drawn with and one without a prompt). */
export async function writeFineTuneWorkspace(dir: string, corrected: number): Promise<Workspace> {
  const ws = new Workspace(dir);
  const { width, height } = FIXTURE_SIZE;
  const study = async (name: string, seed: number) => {
    const data = Uint8Array.from({ length: width * height }, (_, i) => (i * 7 + seed * 31) % 256);
    const path = join(dir, `${name}.png`);
    await writeFile(path, encodePngGrey({ width, height, bitsStored: 8, data }));
    ws.putStudy({ key: path, sourcePath: path, width, height, frameCount: 1 });
    return path;
  };
  const ai = { source: 'ai' as const, algorithm: 'NTP-MRISeg', prompt: 'left lung' };
  for (let i = 0; i < corrected; i++) {
    const key = await study(`film-${i}`, i);
    ws.recordProposal(key, {
      segmentUid: 'ai-1',
      prompt: 'left lung',
      algorithm: 'NTP-MRISeg',
      masks: [square(2, 2, 10)],
    });
    ws.saveSegments(key, [segment('ai-1', square(4, 3, 12 + (i % 3)), ai)]);
  }
  const untouched = await study('untouched', 99);
  ws.recordProposal(untouched, {
    segmentUid: 'ai-1',
    prompt: 'left lung',
    algorithm: 'NTP-MRISeg',
    masks: [square(2, 2, 10)],
  });
  ws.saveSegments(untouched, [segment('ai-1', square(2, 2, 10), ai)]);
  const drawn = await study('drawn', 98);
  ws.saveSegments(drawn, [
    segment('manual-1', square(10, 10, 8), { prompt: 'right lung' }),
    segment('manual-2', square(20, 5, 5), {}),
  ]);
  return ws;
}
