// The repository checks `npm run check:words`, `check:paths` and `check:imports` run on the tree:
// - process words: the repository describes the project as it is, so notes about past work rounds,
//   tracker numbers and folders that exist on one machine only have no place in it;
// - cited paths and sections: every repository path and doc section the docs name exists, so a moved
//   file or a renamed section cannot leave a doc pointing at nothing;
// - import cycles: imports between the folders of src/main, and between the files of src, flow one way,
//   so an import graph with a cycle fails, printed with one import per arrow to show where to cut it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/** What a line must not say, with the reason printed beside an offending line. */
export const PROCESS_WORDS: readonly { pattern: RegExp; why: string }[] = [
  { pattern: /\bsessions? \d+/i, why: 'a numbered work round' },
  { pattern: /\bnext session\b/i, why: 'a note for later work' },
  { pattern: /\bissues? #?\d+/i, why: 'a tracker number' },
  { pattern: /(?<![\w.-])(?:runs|scratch)\//, why: 'a machine-local run folder' },
  { pattern: /\bgpu\/call\b/, why: 'a machine-local folder' },
  { pattern: /(?<![\w.])\/work\//, why: 'a machine-local path' },
];

/**
 * What the docs and the model and config metadata must not say besides PROCESS_WORDS: where files lay on
 * one machine, and a work round by name. Sources and tests are left out: there a temporary folder is code,
 * and a session is an ONNX Runtime one.
 */
export const DOC_WORDS: readonly { pattern: RegExp; why: string }[] = [
  { pattern: /(?<![\w.~-])\/(?:root|tmp)\//, why: 'a machine-local path' },
  { pattern: /(?<![\w.~-])\/(?:home|Users)\/[\w.-]+\//, why: 'a machine-local path' },
  { pattern: /\b(?:this|last|previous|earlier|that) session\b/i, why: 'a work round' },
];

/** Whether `file` (relative to the repository root, with /) is a doc or metadata that DOC_WORDS apply to. */
export const isDocOrMetadata = (file: string): boolean =>
  /^(?:docs\/.*\.md|README\.md|models\/.*\.(?:md|json|jsonl)|configs\/.*\.json)$/.test(file);

export interface Offence {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** Every line of `text` (a file named `file`) that says one of PROCESS_WORDS, and of DOC_WORDS in docs and metadata. */
export function processWords(file: string, text: string): Offence[] {
  const words = isDocOrMetadata(file) ? [...PROCESS_WORDS, ...DOC_WORDS] : PROCESS_WORDS;
  const found: Offence[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    const hit = words.find((w) => w.pattern.test(line));
    if (hit) found.push({ file, line: i + 1, text: line.trim().slice(0, 200), why: hit.why });
  }
  return found;
}

/** What `npm run check:words` reads: the docs, sources, tools, configs and model files. */
export const WORD_SCOPE: readonly string[] = ['docs', 'src', 'tools', 'configs', 'models', 'README.md'];

/** Every process word in `root`'s WORD_SCOPE, files named relative to `root`. */
export function repoProcessWords(root: string): Offence[] {
  return WORD_SCOPE.flatMap((p) => textFiles(join(root, p))).flatMap((file) =>
    processWords(repoName(root, file), readText(file)),
  );
}

// A repository path a doc cites, and the character after it: `<`, `*`, `{`, `…` or `$` there make it a
// placeholder or a pattern (models/<name>, src/main/*.ts), not a path.
const CITED = /(?<![\w./<>-])((?:src|docs|scripts|tools|configs|models|e2e|bench)\/[\w./-]*)([^\s\w./-]?)/g;

/** Each repository path (`src/main/…`, `docs/…`) that `text` (a file named `file`) cites and `exists` does not find. */
export function missingPaths(file: string, text: string, exists: (path: string) => boolean): Offence[] {
  const found: Offence[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    for (const [, cited = '', after = ''] of line.matchAll(CITED)) {
      const path = cited.replace(/[.,;:]+$/, '');
      if (/[<*{…$]/.test(after) || exists(path)) continue;
      found.push({ file, line: i + 1, text: line.trim().slice(0, 200), why: `${path} does not exist` });
    }
  }
  return found;
}

// A doc's name and a quoted section title after it: MODEL.md, "Inference"; [BENCHMARKS.md](BENCHMARKS.md)
// ("Confidence and Dice"); README, "Requirements".
const SECTION_REF = /([A-Z][A-Z_]+\.md|README)[`\])]*(?:\([^)]*\))?[,\s([]*"([^"\n]+)"/g;

/**
 * Each section `text` cites by a doc's name and a quoted title that no heading of that doc begins with;
 * `headings` gives a doc's heading titles by its name, or null when there is no such doc.
 */
export function missingSections(file: string, text: string, headings: (doc: string) => string[] | null): Offence[] {
  const found: Offence[] = [];
  for (const match of text.matchAll(SECTION_REF)) {
    const [, doc = '', title = ''] = match;
    const titles = headings(doc);
    if (titles?.some((h) => h.toLowerCase().startsWith(title.toLowerCase()))) continue;
    const line = text.slice(0, match.index).split('\n').length;
    const why = titles ? `${doc} has no section "${title}"` : `${doc} does not exist`;
    found.push({ file, line, text: (text.split('\n')[line - 1] ?? '').trim().slice(0, 200), why });
  }
  return found;
}

/** A doc's path from the name other docs call it by: README, MODEL_CARD.md, or a file of docs/. */
const docPath = (name: string): string =>
  name === 'README' ? 'README.md' : name === 'MODEL_CARD.md' ? 'models/MODEL_CARD.md' : `docs/${name}`;

/** A markdown text's heading titles, without their #s and backticks. */
export const headingTitles = (markdown: string): string[] =>
  [...markdown.matchAll(/^#+\s+(.+)$/gm)].map((m) => (m[1] as string).replaceAll('`', '').trim());

/**
 * What `npm run check:paths` reports: in docs/, the README and the model card, each repository path that
 * does not exist and each cited section that its doc does not have.
 */
export function repoMissingReferences(root: string): Offence[] {
  const docs = [...textFiles(join(root, 'docs')), ...textFiles(join(root, 'models')), join(root, 'README.md')];
  // Each cited doc read once, however often it is cited.
  const cited = new Map<string, string[] | null>();
  const headings = (name: string) => {
    if (!cited.has(name)) {
      const path = join(root, docPath(name));
      cited.set(name, existsSync(path) ? headingTitles(readText(path)) : null);
    }
    return cited.get(name) as string[] | null;
  };
  return docs
    .filter((file) => file.endsWith('.md'))
    .flatMap((file) => {
      const text = readText(file);
      const name = repoName(root, file);
      return [
        ...missingPaths(name, text, (path) => existsSync(join(root, path))),
        ...missingSections(name, text, headings),
      ];
    });
}

const repoName = (root: string, file: string): string => relative(root, file).split(sep).join('/');

const TEXT = /\.(md|ts|js|mjs|cjs|svelte|json|jsonl|py|sh|css|html|txt|svg)$/;

/** Files under `path` (a file or a folder) whose names look like text, skipping node_modules and dot folders. */
export function textFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return TEXT.test(path) ? [path] : [];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const child = join(path, entry.name);
    return entry.isDirectory() ? textFiles(child) : TEXT.test(entry.name) ? [child] : [];
  });
}

const IMPORT =
  /(?:\bimport\s[^'"]*?\bfrom\s*|\bexport\s[^'"]*?\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The relative module specifiers a source file imports or re-exports (static and dynamic). */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] as string);
}

/** One arrow of the folder graph, with an import that makes it. */
export interface Arrow {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

/**
 * The folder-level import graph of the sources under `root` (tests and fixtures left out: they are leaves,
 * not part of the pipeline's arrows). A folder is a file's directory relative to `root`.
 * Imports that leave `root` are not arrows.
 */
export function folderArrows(root: string, files: readonly string[], read: (file: string) => string): Arrow[] {
  const arrows = new Map<string, Arrow>();
  for (const file of files) {
    if (!/\.(ts|svelte)$/.test(file) || /\.(test|fixture)\.ts$/.test(file)) continue;
    const from = folderOf(root, file);
    for (const specifier of relativeImports(read(file))) {
      const target = resolve(dirname(file), specifier);
      const rel = relative(root, target);
      if (rel.startsWith('..')) continue;
      // A folder imported as a module (its index) belongs to that folder.
      const to =
        existsSync(target) && statSync(target).isDirectory()
          ? folderOf(root, join(target, 'index.ts'))
          : folderOf(root, target);
      if (to === from) continue;
      const key = `${from}\u0000${to}`;
      if (!arrows.has(key)) arrows.set(key, { from, to, file: relative(root, file), specifier });
    }
  }
  return [...arrows.values()];
}

/**
 * The file-level import graph of the sources under `root` (tests and fixtures left out), a file named by
 * its path relative to `root` without its extension; a folder imported as a module is its index.
 * Imports that leave `root` are not arrows.
 */
export function fileArrows(root: string, files: readonly string[], read: (file: string) => string): Arrow[] {
  const arrows: Arrow[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (!/\.(ts|svelte)$/.test(file) || /\.(test|fixture)\.ts$/.test(file)) continue;
    const from = moduleName(root, file);
    for (const specifier of relativeImports(read(file))) {
      const target = resolve(dirname(file), specifier);
      if (relative(root, target).startsWith('..')) continue;
      const to = moduleName(root, moduleFile(target));
      const key = `${from}\u0000${to}`;
      if (to === from || seen.has(key)) continue;
      seen.add(key);
      arrows.push({ from, to, file: relative(root, file), specifier });
    }
  }
  return arrows;
}

/** The file a specifier without an extension names: itself, with .ts or .svelte, or its folder's index.ts. */
function moduleFile(target: string): string {
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  return [target, `${target}.ts`, `${target}.svelte`, join(target, 'index.ts')].find(isFile) ?? target;
}

function moduleName(root: string, file: string): string {
  return relative(root, file)
    .split(sep)
    .join('/')
    .replace(/\.(ts|svelte)$/, '');
}

// Files at the root (the app's entry, its log) are not a folder: each is a node of its own.
function folderOf(root: string, file: string): string {
  const dir = relative(root, dirname(file));
  return dir === '' ? basename(file).replace(/\.ts$/, '') : dir.split(sep).join('/');
}

/** The strongly connected groups of more than one node (Tarjan), each with the arrows inside it. */
export function importCycles(arrows: readonly Arrow[]): Arrow[][] {
  const next = new Map<string, string[]>();
  for (const a of arrows) next.set(a.from, [...(next.get(a.from) ?? []), a.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group);
    }
  };
  for (const v of new Set(arrows.flatMap((a) => [a.from, a.to]))) if (!index.has(v)) visit(v);
  return groups.map((g) => arrows.filter((a) => g.includes(a.from) && g.includes(a.to)));
}

/** Reads each file once. */
export const readText = (file: string): string => readFileSync(file, 'utf8');
