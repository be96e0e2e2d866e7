// The `nextmask` commands: one table, one function per subcommand, and the dispatch (`main`).
import { join } from 'node:path';
import { ablationCommand } from './ablation';
import { curvesCommand } from './curves';
import { EVAL_USAGE, evalCommand } from './eval';
import { exportCommand } from './export';
import { finetuneCommand } from './finetune';
import { PACS_USAGE, pacsCommand } from './pacs';
import { SEGMENT_USAGE, segmentCommand } from './segment';
import { serveCommand } from './serve';
import { tokenizersCommand } from './tokenizers';
import { tokensCommand } from './tokens';
import { trainCommand } from './train';
import { VERSIONS_USAGE, versionsCommand } from './versions';

type Command = (argv: string[]) => Promise<number>;

// Beside the built CLI (out/main): the built renderer the `serve` command serves.
const builtRendererDir = join(import.meta.dirname, '../renderer');

/** A command's one-line summary, how it is called, and its entry point. */
interface Entry {
  summary: string;
  /** Printed for `nextmask <command> --help`: the command's full usage. */
  usage: string;
  run: Command;
}

export const commands: Record<string, Entry> = {
  serve: {
    summary: 'serve the UI and main-process handlers on 127.0.0.1',
    usage: 'usage: nextmask serve [--port N] [--static <built renderer folder>] [--json]',
    run: (argv) => serveCommand(argv, builtRendererDir),
  },
  tokenizers: {
    summary: 'learn the mask/image codebooks and text vocabulary (--data <folder> [--out models/tokenizers])',
    usage: 'usage: nextmask tokenizers --data <folder> [--out models/tokenizers]',
    run: tokenizersCommand,
  },
  ablation: {
    summary: 'train and score the loss ablation (--config configs/ablation.json [--variants ntp,all])',
    usage: 'usage: nextmask ablation --config configs/ablation.json [--variants ntp,all]',
    run: ablationCommand,
  },
  curves: {
    summary: 'learning curves of a training run (<run folder> [--bin N] [--svg file])',
    usage: 'usage: nextmask curves <run folder> [--bin N] [--svg file]',
    run: curvesCommand,
  },
  export: {
    summary:
      "export a run's checkpoint, or a model folder with this version's graphs, as a model folder (<run or model folder> --out <model folder>)",
    usage: 'usage: nextmask export <run folder | model folder> --out <model folder>',
    run: exportCommand,
  },
  tokens: {
    summary: "tokenize a config's training split for the GPU trainer (--config <file> --variants N --out f.nmtok)",
    usage:
      'usage: nextmask tokens --config <file> --variants N --out <file.nmtok> [--split <name>] [--groups g,…] [--shard i/n] [--seed N] [--concurrency N]',
    run: tokensCommand,
  },
  train: {
    summary: 'train the NTP-MRISeg model (--config configs/<name>.json [--fresh] [--seed N] [--max-steps N])',
    usage: 'usage: nextmask train --config configs/<name>.json [--fresh] [--seed N] [--max-steps N]',
    run: trainCommand,
  },
  eval: {
    summary: 'score a model on a split (--data <folder> --split <name> [--model models/base]); last line JSON',
    usage: EVAL_USAGE,
    run: evalCommand,
  },
  pacs: {
    summary: 'DICOMweb: query studies, retrieve a study into the cache, send a SEG back (pacs --help)',
    usage: PACS_USAGE,
    run: pacsCommand,
  },
  finetune: {
    summary:
      'fine-tune on corrections (--workspace <dir> [--epochs N] [--lr X]) or as a simulated clinician (--data <folder> --split <s> --group <g> --train-cases N --eval-cases M)',
    usage:
      'usage: nextmask finetune --workspace <dir> [--epochs N] [--lr X]\n       nextmask finetune --data <folder> --split <s> --group <g> --train-cases N --eval-cases M',
    run: finetuneCommand,
  },
  versions: {
    summary:
      'fine-tuned model versions (list|activate <id|base>|export <id> --out <file>|import <file> [--workspace <dir>])',
    usage: VERSIONS_USAGE,
    run: versionsCommand,
  },
  segment: {
    summary: 'one prompt → one mask (<file.dcm|png|jpg> --prompt "…" --out mask.png|result.dcm [--json] [--model dir])',
    usage: SEGMENT_USAGE,
    run: segmentCommand,
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, { summary }]) => `  ${name.padEnd(10)} ${summary}`);
  return `usage: nextmask <command> [options]\n\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`nextmask: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    process.stderr.write(`nextmask ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
