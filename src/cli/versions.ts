// `nextmask versions list|activate <id|base>|export <id> --out <file>|import <file> [--workspace <dir>]
// [--model <shipped model folder>]`: the workspace's fine-tuned model versions (src/main/finetune/versions.ts).
// `list` prints one JSON line per version (the active one marked) and the active name last.
import { parseArgs } from 'node:util';
import { ModelVersions } from '../main/finetune/versions';
import { DEFAULT_MODEL_DIR } from '../main/model-files/model-folder';
import { defaultWorkspaceDir } from '../main/store/annotations';

export const VERSIONS_USAGE =
  'usage: nextmask versions list|activate <id|base>|export <id> --out <file>|import <file> [--workspace <dir>]';

export async function versionsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      model: { type: 'string', default: DEFAULT_MODEL_DIR },
      out: { type: 'string' },
    },
  });
  const [action, arg] = positionals;
  const versions = new ModelVersions(values.workspace ?? defaultWorkspaceDir(), values.model);
  const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  switch (action) {
    case 'list': {
      const active = await versions.active();
      for (const v of await versions.list()) {
        say({
          id: v.id,
          parent: v.parent,
          createdAt: v.createdAt,
          diceBefore: v.metrics.before,
          diceAfter: v.metrics.after,
          trainCases: v.cases.train.length,
          heldBackCases: v.cases.heldBack?.length ?? 0,
          heldOutCases: v.cases.heldOut.length,
          verdict: v.metrics.verdict?.text ?? null,
          active: v.id === active,
        });
      }
      say({ active });
      return 0;
    }
    case 'activate':
      if (!arg) throw new Error(VERSIONS_USAGE);
      await versions.activate(arg);
      say({ active: await versions.active() });
      return 0;
    case 'export':
      if (!arg || !values.out) throw new Error(VERSIONS_USAGE);
      await versions.exportFile(arg, values.out);
      say({ exported: arg, file: values.out });
      return 0;
    case 'import': {
      if (!arg) throw new Error(VERSIONS_USAGE);
      const info = await versions.importFile(arg);
      say({ imported: info.id, parent: info.parent });
      return 0;
    }
    default:
      throw new Error(VERSIONS_USAGE);
  }
}
