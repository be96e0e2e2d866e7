// `nextmask eval --data <folder> --split <name> [--model <dir> (default models/base; for box and clicks models/region
// where installed)] [--text-model <dir> (what answers the text before clicks; default models/base when --model
// is left to its default)] [--per-group N] [--threads N]
// [--decode argmax|expected (default: the model's own rule)] [--fallback 0.4,0.3|none]
// [--mask-from probability|codes] [--views N (the first N test-time views; 1: the image alone; default all)]
// [--gate on|off (the lung and film-region gates, lung-gate.ts, film-region.ts)]
// [--lesion-cut P (where bone answers are cut from their maps, segment.ts LESION_CUT; 1: as decoded)] [--groups infection,lung,btxrd] [--per-image scores.jsonl]
// [--prompt-mode text|box|text+box|clicks:N (the simulated clinician, evaluation/prompt-modes.ts)]
// [--prompts <file.jsonl> [--per-style N]] [--feed canonical|raw (what the model reads: the prompt's
// canonical reading, prompt/canonical.ts, or the prompt as typed)]`: segments every sample of the split
// (of the listed groups; one JSON line per image to --per-image), prints on stderr how the answers fail
// by target size and by what the prompt names (eval-breakdown.ts) and, as its last line on stdout, the JSON summary
// {"infection": {n, dice, iou, dicePooled, iouPooled}, "lung": {…}, "btxrd": {…}, "msPerImage": …}
// (a group absent from the folder is left out; with clicks:N each group also has diceByClick).
// With --prompts it scores the file's prompts (bench/paraphrase/) and each named film's template, and the
// last line is per style {n, dice, templateDice} (evaluation/paraphrase.ts); --card <file.md> also writes
// that as a table between the file's paraphrase markers (models/MODEL_CARD.md), checked before the run.
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { GROUPS, type Group, listSamples } from '../main/data/samples';
import { breakdownMarkdown, evalBreakdown } from '../main/evaluation/eval-breakdown';
import { type EvalItem, evaluateModel, type ImageScore } from '../main/evaluation/evaluate';
import {
  CARD_BLOCK,
  PromptFileError,
  parsePromptFile,
  promptItems,
  spreadStyles,
  styleCard,
  styleSummary,
} from '../main/evaluation/paraphrase';
import { type PromptMode, parsePromptMode } from '../main/evaluation/prompt-modes';
import { readBlockFile, writeBlock } from '../main/files/doc-block';
import { defaultModelDir, textModelBeside } from '../main/model-files/model-folder';
import { FEEDS, type Feed } from '../main/prompt/reading';
import { TEST_TIME_VIEWS, type View } from '../main/segmenter/pipeline/test-time-views';
import { loadModel } from '../main/segmenter/runtime/model-files';

export const EVAL_USAGE =
  'usage: nextmask eval --data <folder> [--split val] [--model models/base] [--text-model <dir>] [--per-group N] [--groups infection,lung,btxrd]\n' +
  '       [--prompt-mode text|box|text+box|clicks:N] [--decode argmax|expected] [--fallback 0.4,0.3|none]\n' +
  '       [--mask-from probability|codes] [--views N] [--gate on|off] [--lesion-cut P] [--per-image scores.jsonl] [--threads N]\n' +
  '       [--prompts <file.jsonl> [--per-style N] [--card models/MODEL_CARD.md]] [--feed canonical|raw]';

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      split: { type: 'string', default: 'val' },
      model: { type: 'string' },
      'text-model': { type: 'string' },
      'per-group': { type: 'string', default: '0' },
      threads: { type: 'string' },
      decode: { type: 'string' },
      fallback: { type: 'string' },
      groups: { type: 'string' },
      'mask-from': { type: 'string' },
      views: { type: 'string' },
      gate: { type: 'string', default: 'on' },
      'lesion-cut': { type: 'string' },
      'per-image': { type: 'string' },
      'prompt-mode': { type: 'string', default: 'text' },
      prompts: { type: 'string' },
      'per-style': { type: 'string', default: '0' },
      card: { type: 'string' },
      feed: { type: 'string', default: 'canonical' },
    },
  });
  let promptMode: PromptMode;
  try {
    promptMode = parsePromptMode(values['prompt-mode']);
  } catch (err) {
    process.stderr.write(`nextmask eval: ${(err as Error).message}\n`);
    return 2;
  }
  if (!values.data) throw new Error('--data <folder laid out like ../shared/data> is required');
  const perGroup = Number(values['per-group']);
  if (!Number.isInteger(perGroup) || perGroup < 0) throw new Error(`--per-group must be a whole number`);
  const rule = values.decode;
  if (rule !== undefined && rule !== 'argmax' && rule !== 'expected')
    throw new Error(`--decode must be argmax or expected, got ${rule}`);
  const maskFrom = values['mask-from'];
  if (maskFrom !== undefined && maskFrom !== 'codes' && maskFrom !== 'probability')
    throw new Error(`--mask-from must be probability or codes, got ${maskFrom}`);
  const views = values.views === undefined ? undefined : parseViews(values.views);
  if (values.gate !== 'on' && values.gate !== 'off') throw new Error(`--gate must be on or off, got ${values.gate}`);
  const lesionCut = values['lesion-cut'] === undefined ? undefined : Number(values['lesion-cut']);
  if (lesionCut !== undefined && !(lesionCut > 0 && lesionCut <= 1))
    throw new Error(`--lesion-cut must be a probability in (0, 1], got ${values['lesion-cut']}`);
  const fallback = values.fallback === undefined ? undefined : parseFallback(values.fallback);
  const groups = values.groups === undefined ? undefined : parseGroups(values.groups);
  const feed = values.feed as Feed;
  if (!FEEDS.includes(feed)) throw new Error(`--feed must be ${FEEDS.join(' or ')}, got ${values.feed}`);
  const perStyle = Number(values['per-style']);
  if (!Number.isInteger(perStyle) || perStyle < 0) throw new Error(`--per-style must be a whole number`);
  const usageError = (message: string) => {
    process.stderr.write(`nextmask eval: ${message}\n${EVAL_USAGE}\n`);
    return 2;
  };
  const card = values.card === undefined ? undefined : resolve(values.card);
  if (card) {
    if (!values.prompts) return usageError('--card writes the per-style table of --prompts: pass both');
    // Its markers are checked before the run, not found missing after it.
    try {
      await readBlockFile(card, CARD_BLOCK);
    } catch (err) {
      return usageError((err as Error).message);
    }
  }
  let items: EvalItem[] | undefined;
  if (values.prompts) {
    try {
      items = await paraphraseItems(values.prompts, resolve(values.data), values.split, perStyle);
    } catch (err) {
      if (!(err instanceof PromptFileError)) throw err;
      return usageError(err.message);
    }
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  const pointed = promptMode.kind !== 'text';
  const modelDir = resolve(values.model ?? defaultModelDir(pointed));
  const model = await loadModel(modelDir, threads);
  // As the app answers: the text model's answer first, the region model's for the box and clicks.
  const textDir = values['text-model'] ?? textModelBeside(pointed, values.model !== undefined);
  const textModel = textDir && resolve(textDir) !== modelDir ? await loadModel(resolve(textDir), threads) : undefined;
  const perImage = values['per-image'] ? createWriteStream(resolve(values['per-image'])) : null;
  const images: ImageScore[] = [];
  let last = 0;
  const summary = await evaluateModel(model, resolve(values.data), values.split, {
    perGroup,
    ...(rule ? { rule } : {}),
    ...(fallback ? { fallback } : {}),
    ...(maskFrom ? { maskFrom } : {}),
    ...(views ? { views } : {}),
    ...(groups ? { groups } : {}),
    gate: values.gate === 'on',
    ...(lesionCut !== undefined ? { lesionCut } : {}),
    promptMode,
    ...(textModel ? { textModel } : {}),
    feed,
    ...(items ? { items } : {}),
    onImage: (score) => {
      images.push(score);
      perImage?.write(`${JSON.stringify(score)}\n`);
    },
    onProgress: (done, total) => {
      if (done === total || performance.now() - last > 5000) {
        last = performance.now();
        process.stderr.write(`${done}/${total}\n`);
      }
    },
  });
  // The last line is exactly the summary the issue specifies; speculative decoding's cost goes to stderr.
  if (perImage) await finished(perImage.end());
  const { forwardPassesPerImage, withoutFallback, fallbacks, ...scores } = summary;
  process.stderr.write(`forward passes per image: ${forwardPassesPerImage.toFixed(1)} (greedy: 257)\n`);
  process.stderr.write(`empty first answers decoded again at a lower threshold: ${JSON.stringify(fallbacks)}\n`);
  process.stderr.write(`scores had they stayed empty: ${JSON.stringify(withoutFallback)}\n`);
  process.stderr.write(`\nanswers by target size:\n\n${breakdownMarkdown(evalBreakdown(images))}\n`);
  const byFinding = breakdownMarkdown(evalBreakdown(images, 'finding'), 'finding');
  process.stderr.write(`answers by what the prompt names:\n\n${byFinding}\n`);
  if (items) {
    process.stderr.write(`scores by group (prompts and templates together): ${JSON.stringify(scores)}\n`);
    const styles = styleSummary(images);
    if (card) await writeBlock(card, CARD_BLOCK, styleCard(styles));
    process.stdout.write(`${JSON.stringify(styles)}\n`);
  } else process.stdout.write(`${JSON.stringify(scores)}\n`);
  return 0;
}

/** `--prompts <file>`: the file's prompts (at most `perStyle` per style) and their films' templates. */
async function paraphraseItems(file: string, dataDir: string, split: string, perStyle: number): Promise<EvalItem[]> {
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (err) {
    throw new PromptFileError(`--prompts ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const lines = spreadStyles(parsePromptFile(text, file), perStyle);
  const sources = await listSamples(dataDir, split, { groups: ['infection', 'btxrd'] });
  return promptItems(lines, sources, dataDir, split, file);
}

/** `--views N`: the first N of TEST_TIME_VIEWS (all of them by default). */
export function parseViews(text: string): View[] {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > TEST_TIME_VIEWS.length)
    throw new Error(`--views must be a whole number from 1 to ${TEST_TIME_VIEWS.length}, got ${text}`);
  return TEST_TIME_VIEWS.slice(0, n);
}

/** `--groups lung,btxrd`: known group names, comma-separated. */
export function parseGroups(text: string): Group[] {
  const list = text.split(',');
  for (const g of list)
    if (!GROUPS.includes(g as Group)) throw new Error(`--groups: unknown group "${g}" (known: ${GROUPS.join(', ')})`);
  return list as Group[];
}

/** `--fallback 0.4,0.3` (decreasing thresholds in (0, 0.5)) or `none`. */
export function parseFallback(text: string): number[] {
  if (text === 'none') return [];
  const list = text.split(',').map(Number);
  list.forEach((t, i) => {
    if (!(t > 0 && t < 0.5) || (i > 0 && t >= (list[i - 1] as number)))
      throw new Error(`--fallback must be "none" or decreasing thresholds in (0, 0.5), got ${text}`);
  });
  return list;
}
