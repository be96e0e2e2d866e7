// Reads a prompt's words against the lexicon's tables (lexicon/): the longest written form first, on word
// boundaries, folding case, plurals ("GGOs", "opacities", "diaphyses"), hyphens ("ground-glass" is
// "ground glass"), accents ("infección") and British spellings ("tumour", "oesophageal", "haemorrhagic");
// a form's translations (lexicon/languages.ts) read as the form. What no form covers is kept as unread,
// so the reading can say what it did not understand.
import { BONE_TABLES } from './lexicon/bone';
import { CHEST_TABLES } from './lexicon/chest';
import {
  COUNTS,
  type Entry,
  FUNCTION_WORDS,
  LATERALITY,
  NEGATION,
  NORMAL,
  SIDES,
  type Table,
  VIEWS,
} from './lexicon/common';
import { TRANSLATIONS } from './lexicon/languages';

/** Every table a prompt is read against. */
export const ALL_TABLES: readonly Table[] = [
  SIDES,
  LATERALITY,
  COUNTS,
  NEGATION,
  VIEWS,
  NORMAL,
  FUNCTION_WORDS,
  ...CHEST_TABLES,
  ...BONE_TABLES,
];

/** British spellings → the American ones the tables are written in (word beginnings). */
const SPELLINGS: readonly [string, string][] = [
  ['tumour', 'tumor'],
  ['oesophag', 'esophag'],
  ['haem', 'hem'],
  ['oedem', 'edem'],
  ['ischaem', 'ischem'],
  ['paediatric', 'pediatric'],
  ['orthopaed', 'orthoped'],
  ['centre', 'center'],
  ['fibre', 'fiber'],
  ['calcaneum', 'calcaneus'],
];

/** One run of words a table's form covers. */
export interface WordMatch {
  table: string;
  term: string;
  entry: Entry;
  /** The words as typed. */
  text: string;
  /** Character offsets of the run in the prompt. */
  start: number;
  end: number;
}

export interface WordReading {
  /** In prompt order; a run several tables hold the same form for is reported once per table. */
  matches: WordMatch[];
  /** Words no table covered, as typed, in order. */
  unread: string[];
}

interface Token {
  word: string;
  /** The word's readings: itself, then its singulars. */
  keys: string[];
  start: number;
  end: number;
  /** Index of the stretch between punctuation it lies in: forms never run across a comma or a stop. */
  stretch: number;
}

interface Form {
  words: string[];
  table: Table;
  entry: Entry;
}

const WORD = /[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;

function spelled(word: string): string {
  const lower = word.toLowerCase().replace(/'s$/, '').normalize('NFD').replace(/\p{M}/gu, '');
  for (const [british, american] of SPELLINGS)
    if (lower.startsWith(british)) return american + lower.slice(british.length);
  return lower;
}

/** A word and its possible singulars, so that a form written singular covers the plural. */
function keysOf(word: string): string[] {
  const keys = [word];
  if (word.length < 3) return keys;
  if (word.endsWith('ies')) keys.push(`${word.slice(0, -3)}y`);
  if (word.endsWith('es')) keys.push(word.slice(0, -2), `${word.slice(0, -2)}is`);
  if (word.endsWith('s')) keys.push(word.slice(0, -1));
  return keys;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  let stretch = 0;
  let last = 0;
  for (const found of text.matchAll(WORD)) {
    const start = found.index;
    if (/[,;.:!?()[\]/]/.test(text.slice(last, start))) stretch++;
    const word = spelled(found[0]);
    out.push({ word: found[0], keys: keysOf(word), start, end: start + found[0].length, stretch });
    last = start + found[0].length;
  }
  return out;
}

/** Each table's forms and their translations, keyed by their first word, longest first. */
function formIndex(tables: readonly Table[]): Map<string, Form[]> {
  const index = new Map<string, Form[]>();
  for (const table of tables)
    for (const entry of table.entries)
      for (const form of entry.forms)
        for (const written of [form, ...(TRANSLATIONS.get(form) ?? [])]) {
          const words = [...written.matchAll(WORD)].map((w) => spelled(w[0]));
          const first = words[0] as string;
          index.set(first, [...(index.get(first) ?? []), { words, table, entry }]);
        }
  for (const forms of index.values()) forms.sort((a, b) => b.words.length - a.words.length);
  return index;
}

const INDEX = formIndex(ALL_TABLES);

/** Whether `form` covers the tokens from `at` on, within one stretch. */
function covers(form: Form, list: readonly Token[], at: number): boolean {
  const stretch = list[at]?.stretch;
  return form.words.every((w, k) => {
    const token = list[at + k];
    return token !== undefined && token.stretch === stretch && token.keys.includes(w);
  });
}

/** The prompt's words as the lexicon reads them: the runs its forms cover, and the words none covers. */
export function readWords(text: string): WordReading {
  const list = tokens(text);
  const matches: WordMatch[] = [];
  const unread: string[] = [];
  let i = 0;
  while (i < list.length) {
    const token = list[i] as Token;
    const found = token.keys.flatMap((key) => (INDEX.get(key) ?? []).filter((form) => covers(form, list, i)));
    const longest = Math.max(0, ...found.map((f) => f.words.length));
    if (longest === 0) {
      unread.push(token.word);
      i++;
      continue;
    }
    const end = (list[i + longest - 1] as Token).end;
    const seen = new Set<string>();
    for (const form of found.filter((f) => f.words.length === longest)) {
      const key = `${form.table.name}\u0000${form.entry.term}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const { name: table } = form.table;
      matches.push({
        table,
        term: form.entry.term,
        entry: form.entry,
        text: text.slice(token.start, end),
        start: token.start,
        end,
      });
    }
    i += longest;
  }
  return { matches, unread };
}
