// The simulated clinician on a kind of case the shipped model is weak on: ground-truth masks of N BTXRD
// val films as corrections (a quarter of them held back to choose the epoch), scored before/after on M
// other BTXRD val films, and a fixed spread of infection and lung val films before/after (forgetting).
// Prints one line per epoch, then the JSON {"cases", "secondsPerEpoch", "totalSeconds", "diceBefore",
// "diceAfter", "gain", "otherGroupsDiceChange", "curve", "verdict"} last. `--prompt-mode box`: the
// before, after and held-back answers are box answers (a simulated box and the prompt), which needs a
// model with a region part (`--model models/region`); such a model also trains on zoomed corrections.
// Run: npm run bench:finetune -- [--data ../shared/data] [--model models/base] [--group btxrd] [--filter <text>]
//      [--cases 40] [--eval-cases 40] [--other-per-group 10] [--guard l2|last-blocks] [--epochs N] [--lr X]
//      [--threads 2] [--seed 1] [--het-weight W] [--blocks N] [--prompt-mode text|box]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { progressPrinter } from '../src/cli/finetune';
import type { Group } from '../src/main/data/samples';
import { simulateClinician } from '../src/main/finetune/clinician';
import { answerModeOf, DEFAULT_SETTINGS, type FineTuneSettings } from '../src/main/finetune/job';
import { readModelFile } from '../src/main/model-files/model-folder';
import { recordRun } from './results';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data' },
    model: { type: 'string', default: 'models/base' },
    group: { type: 'string', default: 'btxrd' },
    filter: { type: 'string' },
    cases: { type: 'string', default: '40' },
    'eval-cases': { type: 'string', default: '40' },
    'other-per-group': { type: 'string', default: '10' },
    guard: { type: 'string', default: DEFAULT_SETTINGS.guard },
    epochs: { type: 'string', default: String(DEFAULT_SETTINGS.epochs) },
    lr: { type: 'string', default: String(DEFAULT_SETTINGS.lr) },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    'het-weight': { type: 'string' },
    blocks: { type: 'string', default: String(DEFAULT_SETTINGS.blocks) },
    'prompt-mode': { type: 'string', default: 'text' },
  },
});
if (values.guard !== 'l2' && values.guard !== 'last-blocks') throw new Error('--guard must be l2 or last-blocks');
const answers = values['prompt-mode'];
if (answers !== 'text' && answers !== 'box') throw new Error(`--prompt-mode must be text or box, got "${answers}"`);
const settings: FineTuneSettings = {
  ...DEFAULT_SETTINGS,
  guard: values.guard,
  epochs: Number(values.epochs),
  lr: Number(values.lr),
  threads: Number(values.threads),
  seed: Number(values.seed),
  blocks: Number(values.blocks),
  answers,
  ...(values['het-weight'] === undefined ? {} : { hetWeight: Number(values['het-weight']) }),
};
try {
  answerModeOf(settings, await readModelFile(values.model));
} catch (err) {
  throw new Error(`--prompt-mode ${answers} --model ${values.model}: ${(err as Error).message}`);
}
const print = progressPrinter();
const loadBefore = loadavg();
const report = await simulateClinician({
  data: values.data,
  split: 'val',
  group: values.group as Group,
  ...(values.filter ? { filter: values.filter } : {}),
  trainCases: Number(values.cases),
  evalCases: Number(values['eval-cases']),
  seed: settings.seed,
  modelDir: values.model,
  settings,
  otherPerGroup: Number(values['other-per-group']),
  otherSplit: 'val',
  onProgress: print,
});
for (const e of report.epochs) {
  process.stdout.write(
    `epoch ${e.epoch}: train loss ${e.trainLoss?.toFixed(4) ?? '—'}, held-out loss ${e.heldOutLoss.toFixed(4)}, held-back Dice ${e.decodedDice.toFixed(4)}, ${e.seconds.toFixed(1)} s\n`,
  );
}
const result = {
  cases: report.cases,
  secondsPerEpoch: report.secondsPerEpoch,
  totalSeconds: report.totalSeconds,
  diceBefore: report.diceBefore,
  diceAfter: report.diceAfter,
  // What the round's version gained on the held-out films (0 when it equals the starting model).
  gain: report.diceAfter - report.diceBefore,
  otherGroupsDiceChange: report.otherGroupsDiceChange ?? null,
  curve: report.epochs.map(({ epoch, heldOutLoss, decodedDice }) => ({ epoch, loss: heldOutLoss, decodedDice })),
  verdict: report.verdict,
};
process.stdout.write(
  `${JSON.stringify({ settings, bestEpoch: report.bestEpoch, lesionCut: report.lesionCut, heldBackCases: report.heldBackCases, otherGroups: report.otherGroups })}\n`,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
const command = `npm run bench:finetune -- ${process.argv.slice(2).join(' ')}`.trim();
await recordRun('finetune', command, loadBefore, {
  settings,
  epochs: report.epochs,
  bestEpoch: report.bestEpoch,
  lesionCut: report.lesionCut,
  otherGroups: report.otherGroups,
  ...result,
});
