// A file of prompts worded as radiologists word them (bench/paraphrase/), scored against the template
// description of the same films: which film each line names, and the per-style summary of the scores.
import { join, relative } from 'node:path';
import type { SampleSource } from '../data/samples';
import { type DocBlock, markdownTable } from '../files/doc-block';
import { type EvalItem, type ImageScore, spreadBy } from './evaluate';

export type PromptGroup = 'infection' | 'btxrd';
const PROMPT_GROUPS: readonly PromptGroup[] = ['infection', 'btxrd'];

export interface PromptLine {
  group: PromptGroup;
  /** The film, relative to its split folder (`covid/images/x.png`, `images/IMG1.jpg`). */
  image: string;
  prompt: string;
  style: string;
  /** 1-based, for messages. */
  line: number;
}

/** A prompt file the user must fix: the message names the file and line. */
export class PromptFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptFileError';
  }
}

const KEYS = ['group', 'image', 'prompt', 'style'];

/** The lines of a prompt file (blank lines skipped); a line that is not one prompt is an error naming it. */
export function parsePromptFile(text: string, file: string): PromptLine[] {
  const out: PromptLine[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '') continue;
    const at = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new PromptFileError(`${at}: not a JSON line`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new PromptFileError(`${at}: expected an object {"group", "image", "prompt", "style"}`);
    const entry = value as Record<string, unknown>;
    for (const key of KEYS)
      if (typeof entry[key] !== 'string' || (entry[key] as string).trim() === '')
        throw new PromptFileError(`${at}: "${key}" must be a non-empty string`);
    const extra = Object.keys(entry).filter((k) => !KEYS.includes(k));
    if (extra.length > 0) throw new PromptFileError(`${at}: unknown key "${extra[0]}"`);
    if (!PROMPT_GROUPS.includes(entry.group as PromptGroup))
      throw new PromptFileError(`${at}: "group" must be ${PROMPT_GROUPS.join(' or ')}, got "${entry.group}"`);
    const { group, image, prompt, style } = entry as Record<string, string>;
    out.push({
      group: group as PromptGroup,
      image: image as string,
      prompt: prompt as string,
      style: style as string,
      line: i + 1,
    });
  }
  if (out.length === 0) throw new PromptFileError(`${file}: no prompts`);
  return out;
}

/** Each group's split folder, which a prompt's `image` is relative to. */
function splitFolder(dataDir: string, split: string, group: PromptGroup): string {
  return join(dataDir, group === 'infection' ? 'covid-qu-ex' : 'btxrd', split);
}

/** The film's path as a prompt file names it. */
function filmKey(group: string, path: string): string {
  return `${group}:${path.split('\\').join('/')}`;
}

/**
 * What to score: each film the prompts name once with its template (tag "template"), then every prompt
 * on its film (tagged with its style). A film not in the split is an error naming the line.
 */
export function promptItems(
  lines: readonly PromptLine[],
  sources: readonly SampleSource[],
  dataDir: string,
  split: string,
  file: string,
): EvalItem[] {
  const byFilm = new Map<string, SampleSource>();
  for (const s of sources)
    if (s.group !== 'lung')
      byFilm.set(filmKey(s.group, relative(splitFolder(dataDir, split, s.group), s.imagePath)), s);
  const templates = new Map<SampleSource, EvalItem>();
  const prompts: EvalItem[] = [];
  for (const line of lines) {
    const source = byFilm.get(filmKey(line.group, line.image));
    if (!source)
      throw new PromptFileError(
        `${file}:${line.line}: ${line.group} film "${line.image}" is not in split "${split}" of ${dataDir}`,
      );
    if (!templates.has(source)) templates.set(source, { source, tag: TEMPLATE });
    prompts.push({ source, text: line.prompt, tag: line.style });
  }
  return [...templates.values(), ...prompts];
}

export const TEMPLATE = 'template';

export interface StyleScore {
  n: number;
  /** Mean per-image Dice of the style's prompts. */
  dice: number;
  /** Mean per-image Dice of the template description on the same films (a film counted once per prompt). */
  templateDice: number;
}

/** Per style, the prompts' Dice and the template's on the same films, from the scores `evaluateModel` gave. */
export function styleSummary(scores: readonly ImageScore[]): Record<string, StyleScore> {
  const template = new Map<string, number>();
  for (const s of scores) if (s.tag === TEMPLATE) template.set(s.id, s.dice);
  const sums = new Map<string, { n: number; dice: number; templateDice: number }>();
  for (const s of scores) {
    if (s.tag === undefined || s.tag === TEMPLATE) continue;
    const templateDice = template.get(s.id);
    if (templateDice === undefined) throw new Error(`no template score for ${s.id}`);
    const sum = sums.get(s.tag) ?? { n: 0, dice: 0, templateDice: 0 };
    sum.n++;
    sum.dice += s.dice;
    sum.templateDice += templateDice;
    sums.set(s.tag, sum);
  }
  return Object.fromEntries(
    [...sums].map(([style, s]) => [style, { n: s.n, dice: s.dice / s.n, templateDice: s.templateDice / s.n }]),
  );
}

/** Where the model card holds the per-style table (`nextmask eval --prompts … --card models/MODEL_CARD.md`). */
export const CARD_BLOCK: DocBlock = {
  start: '<!-- paraphrase:start (written by `nextmask eval --prompts … --card`; do not edit by hand) -->',
  end: '<!-- paraphrase:end -->',
};

/**
 * The per-style summary as the model card's block: a row per style (by name), then all prompts together
 * (each style weighted by its prompts), then the summary line it was written from.
 */
export function styleCard(summary: Readonly<Record<string, StyleScore>>): string {
  const styles = Object.entries(summary).sort(([a], [b]) => a.localeCompare(b));
  if (styles.length === 0) throw new Error('no style was scored: nothing to write');
  const n = styles.reduce((sum, [, s]) => sum + s.n, 0);
  const mean = (key: 'dice' | 'templateDice') => styles.reduce((sum, [, s]) => sum + s[key] * s.n, 0) / n;
  const row = (name: string, count: number, dice: number, template: number) => [
    name,
    String(count),
    dice.toFixed(3),
    template.toFixed(3),
    `${dice >= template ? '+' : '−'}${Math.abs(dice - template).toFixed(3)}`,
  ];
  const table = markdownTable(
    ['style', 'prompts', 'Dice (prompts)', 'Dice (template, same films)', 'difference'],
    [
      ...styles.map(([name, s]) => row(`\`${name}\``, s.n, s.dice, s.templateDice)),
      row('all', n, mean('dice'), mean('templateDice')),
    ],
  );
  return [...table, '', `Last line: \`${JSON.stringify(summary)}\``].join('\n');
}

/** At most `perStyle` prompts of each style, evenly spread over the file (all when 0). */
export function spreadStyles(lines: readonly PromptLine[], perStyle: number): PromptLine[] {
  return spreadBy(lines, perStyle, (l) => l.style);
}
