// `nextmask finetune --workspace <dir> [--epochs N] [--lr X] [--guard l2|last-blocks] [--batch N]
// [--include-manual] [--activate] [--model <shipped model folder>] [--threads N]`: one fine-tuning round on the
// workspace's corrected masks, kept as a new version (activated only with --activate); progress on stderr,
// the version's JSON (id, parent, before/after metrics) as the last line.
// `nextmask finetune --data <folder laid out like ../shared/data> --split <name> --group <infection|lung|btxrd>
// [--filter <text in the prompt>] --train-cases N --eval-cases M [--seed S] [--other-per-group K] [--other-split val]
// [--out <model folder>]`: the simulated clinician (ground-truth masks of N cases as corrections, scored on M
// other cases of the same kind, and K cases of each other group before/after); its JSON report as the last line.
import { parseArgs } from 'node:util';
import type { Group } from '../main/data/samples';
import { executionProviderFromEnv } from '../main/engine/execution-provider';
import { simulateClinician } from '../main/finetune/clinician';
import { DEFAULT_SETTINGS, type FineTuneProgress, type FineTuneSettings } from '../main/finetune/job';
import { ModelVersions } from '../main/finetune/versions';
import { fineTuneWorkspace } from '../main/finetune/workspace-run';
import { DEFAULT_MODEL_DIR } from '../main/model-files/model-folder';
import { Workspace } from '../main/store/workspace';

function number(name: string, raw: string | undefined, fallback: number, ok: (n: number) => boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !ok(n)) throw new Error(`--${name} got "${raw}", which is not allowed here`);
  return n;
}

const positiveInt = (n: number) => Number.isInteger(n) && n >= 1;

/** One progress line on stderr per epoch (its held-back answers are in it) and per tenth of the steps. */
export function progressPrinter(): (p: FineTuneProgress) => void {
  return (p) => {
    if (p.phase === 'epoch') {
      const train = p.trainLoss === null ? '' : ` train loss ${p.trainLoss.toFixed(4)}`;
      process.stderr.write(
        `epoch ${p.epoch}:${train} held-out loss ${p.heldOutLoss.toFixed(4)}, held-back Dice ${p.decodedDice.toFixed(4)} (${p.seconds.toFixed(0)} s)\n`,
      );
    } else if (p.phase === 'train') {
      if (p.step === 1 || p.step % Math.max(1, Math.round(p.steps / 10)) === 0)
        process.stderr.write(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} ETA ${p.etaSeconds.toFixed(0)} s\n`);
    } else if (p.phase !== 'held-back' && p.done === p.total) {
      process.stderr.write(`${p.phase}: ${p.total} held-out answers scored\n`);
    }
  };
}

export async function finetuneCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string' },
      data: { type: 'string' },
      split: { type: 'string' },
      group: { type: 'string' },
      filter: { type: 'string' },
      'train-cases': { type: 'string' },
      'eval-cases': { type: 'string' },
      seed: { type: 'string' },
      'other-per-group': { type: 'string', default: '0' },
      'other-split': { type: 'string', default: 'val' },
      out: { type: 'string' },
      model: { type: 'string', default: DEFAULT_MODEL_DIR },
      epochs: { type: 'string' },
      lr: { type: 'string' },
      batch: { type: 'string' },
      guard: { type: 'string' },
      views: { type: 'string' },
      threads: { type: 'string' },
      'include-manual': { type: 'boolean', default: false },
      activate: { type: 'boolean', default: false },
    },
  });
  if (Boolean(values.workspace) === Boolean(values.data))
    throw new Error('give either --workspace <dir> or --data <folder> (the simulated clinician)');
  const guard = values.guard ?? DEFAULT_SETTINGS.guard;
  if (guard !== 'l2' && guard !== 'last-blocks') throw new Error(`--guard must be l2 or last-blocks, got "${guard}"`);
  const settings: FineTuneSettings = {
    ...DEFAULT_SETTINGS,
    guard,
    epochs: number('epochs', values.epochs, DEFAULT_SETTINGS.epochs, positiveInt),
    lr: number('lr', values.lr, DEFAULT_SETTINGS.lr, (n) => n > 0 && n < 1),
    batch: number('batch', values.batch, DEFAULT_SETTINGS.batch, positiveInt),
    views: number('views', values.views, DEFAULT_SETTINGS.views, (n) => positiveInt(n) && n <= 7),
    seed: number('seed', values.seed, DEFAULT_SETTINGS.seed, Number.isInteger),
    ...(values.threads ? { threads: number('threads', values.threads, 1, positiveInt) } : {}),
  };
  if (values.workspace) {
    const workspace = new Workspace(values.workspace);
    try {
      const versions = new ModelVersions(values.workspace, values.model);
      const info = await fineTuneWorkspace(workspace, versions, {
        settings,
        includeManual: values['include-manual'],
        executionProvider: executionProviderFromEnv(),
        onProgress: progressPrinter(),
      });
      if (values.activate) await versions.activate(info.id);
      process.stdout.write(`${JSON.stringify({ ...info, active: await versions.active() })}\n`);
    } finally {
      workspace.close();
    }
    return 0;
  }
  if (!values.split || !values.group || !values['train-cases'] || !values['eval-cases'])
    throw new Error('--data needs --split <name> --group <infection|lung|btxrd> --train-cases N --eval-cases M');
  const report = await simulateClinician({
    data: values.data as string,
    split: values.split,
    group: values.group as Group,
    ...(values.filter ? { filter: values.filter } : {}),
    trainCases: number('train-cases', values['train-cases'], 0, positiveInt),
    evalCases: number('eval-cases', values['eval-cases'], 0, positiveInt),
    seed: settings.seed,
    modelDir: values.model,
    settings,
    otherPerGroup: number('other-per-group', values['other-per-group'], 0, (n) => Number.isInteger(n) && n >= 0),
    otherSplit: values['other-split'],
    ...(values.out ? { outDir: values.out } : {}),
    onProgress: progressPrinter(),
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}
