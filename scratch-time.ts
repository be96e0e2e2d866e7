import { clinicianSet } from './src/main/finetune/clinician';
import { DEFAULT_SETTINGS, runFineTune } from './src/main/finetune/job';
const N = Number(process.argv[2] ?? 8);
const set = await clinicianSet({ data: '../shared/data', split: 'val', group: 'btxrd', trainCases: N, evalCases: 4, seed: 1 });
const t0 = performance.now();
const r = await runFineTune(
  { modelDir: 'models/base', train: set.train, heldOut: set.heldOut, settings: { ...DEFAULT_SETTINGS, epochs: 1, batch: Number(process.argv[3] ?? 8), threads: 2, guard: (process.argv[4] ?? 'l2') as 'l2' }, outDir: '/tmp/ft/out' },
  { onProgress: (p) => console.log(((performance.now() - t0) / 1000).toFixed(1), JSON.stringify(p)) },
);
console.log(JSON.stringify({ ...r, hetMemory: undefined }));
