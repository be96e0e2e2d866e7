// How fast the mask tools, the store and the SEG writer are on realistic sizes: a brush stroke
// and flood fill on a 2048² radiograph, island removal, saving and loading a 512²×300 CT
// segmentation, and writing it as DICOM SEG. Run: npm run bench:masks
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceImage } from '../src/main/seg/source-images';
import { writeSeg } from '../src/main/seg/write-seg';
import { Workspace } from '../src/main/store/workspace';
import { strokePath } from '../src/shared/labelmap/brush';
import { floodFill, removeSmallIslands } from '../src/shared/labelmap/flood';
import { createMask, type Mask } from '../src/shared/labelmap/mask';
import { NEW_SEGMENT_DEFAULTS, type Segment } from '../src/shared/labelmap/segments';

function time(label: string, runs: number, fn: () => void): void {
  fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < runs; i++) fn();
  const ms = (performance.now() - start) / runs;
  console.log(`${label.padEnd(52)} ${ms.toFixed(2).padStart(9)} ms`);
}

/** A blob like an organ: an ellipse per slice, growing and shrinking through the volume. */
function organ(width: number, height: number, slices: number): Mask[] {
  return Array.from({ length: slices }, (_, k) => {
    const m = createMask(width, height);
    const r = Math.max(0, Math.sin((Math.PI * k) / slices)) * width * 0.25;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (((x - width / 2) / r) ** 2 + ((y - height / 2) / (r * 0.7)) ** 2 <= 1) m.data[y * width + x] = 1;
      }
    }
    return m;
  });
}

const big = createMask(2048, 2048);
const path = Array.from({ length: 40 }, (_, i) => ({ x: 100 + i * 45, y: 1000 + Math.sin(i / 3) * 300 }));
time('brush stroke, 40 events over 1800 px, radius 12 (2048²)', 20, () => strokePath(big, path, 12, 1));
time('flood fill of the background (2048²)', 5, () => {
  big.data.fill(0);
  floodFill(big, 0, 0, 1);
});
const noisy = createMask(2048, 2048);
for (let i = 0; i < noisy.data.length; i += 97) noisy.data[i] = 1;
time('remove islands < 20 px, 43k specks (2048²)', 3, () =>
  removeSmallIslands({ ...noisy, data: noisy.data.slice() }, 20),
);

const masks = organ(512, 512, 300);
const segment: Segment = {
  id: 'liver',
  name: 'Liver',
  color: [200, 80, 60],
  ...NEW_SEGMENT_DEFAULTS,
  masks,
};
const dir = mkdtempSync(join(tmpdir(), 'nextmask-bench-'));
try {
  const ws = new Workspace(dir);
  ws.putStudy({ key: 's', sourcePath: '/ct', width: 512, height: 512, frameCount: 300 });
  time('store: save one segment, 512²×300 (one transaction)', 3, () => ws.saveSegments('s', [segment]));
  time('store: load it back', 3, () => ws.loadSegments('s'));
  ws.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const sources: SourceImage[] = masks.map((_, k) => ({
  path: `/ct/${k}.dcm`,
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: `1.2.3.4.${k + 1}`,
  studyInstanceUid: '1.2.3',
  seriesInstanceUid: '1.2.3.4',
  frameOfReferenceUid: '1.2.3.5',
  rows: 512,
  columns: 512,
  imagePosition: [0, 0, k],
  imageOrientation: [1, 0, 0, 0, 1, 0],
  pixelSpacing: [0.8, 0.8],
  sliceThickness: 1,
  header: { PatientName: [{ Alphabetic: 'Bench^Patient' }], PatientID: 'B1' },
}));
time('DICOM SEG: write one segment over 300 slices', 3, () =>
  writeSeg({ sources, segments: [{ label: 'Liver', color: [200, 80, 60], algorithmType: 'MANUAL', masks }] }),
);
