import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fileArrows,
  folderArrows,
  headingTitles,
  importCycles,
  missingPaths,
  missingSections,
  processWords,
  readText,
  relativeImports,
  repoMissingReferences,
  repoProcessWords,
  textFiles,
} from './repo-checks';

const REPO = join(import.meta.dirname, '..');

describe('processWords', () => {
  it('finds work rounds, tracker numbers and machine-local folders, with their line numbers', () => {
    const text = [
      'The model decodes seven views.',
      'Chosen in session 9 on val.',
      'What the next session must do.',
      'See issue #32 and Issue 6.',
      'output in runs/eval/out.txt and scratch/first',
      'inputs from gpu/call/ on /work/main',
    ].join('\n');
    const found = processWords('doc.md', text);
    expect(found.map((o) => o.line)).toEqual([2, 3, 4, 5, 6]);
    expect(found[0]).toMatchObject({
      file: 'doc.md',
      why: 'a numbered work round',
      text: 'Chosen in session 9 on val.',
    });
    expect(found[2]?.why).toBe('a tracker number');
  });

  it('leaves alone the words of the app itself', () => {
    const text = [
      "{ id: 'soft-tissue', label: 'Soft tissue 400/40' }",
      "// this session's per-file errors",
      '"out": "checkpoints/base"',
      'training-runs/ and dry-runs/ are not run folders; a session of the app is not a work round',
    ].join('\n');
    expect(processWords('x.ts', text)).toEqual([]);
  });
});

describe('processWords in docs and metadata', () => {
  const planted = [
    '"out": "/root/out/base",',
    'written to /tmp/nextmask-eval/scores.jsonl',
    'cloned in /home/ana/nextmask/ and /Users/ana/src/',
    'What this session measured; the last session chose 0.4.',
  ].join('\n');

  it('finds machine paths and work rounds in docs, the README, model folders and configs', () => {
    const files = ['docs/MODEL.md', 'README.md', 'models/MODEL_CARD.md', 'models/base/model.json', 'configs/x.json'];
    for (const file of files) {
      const found = processWords(file, planted);
      expect(
        found.map((o) => o.line),
        file,
      ).toEqual([1, 2, 3, 4]);
      expect(found[0]?.why).toBe('a machine-local path');
      expect(found[3]?.why).toBe('a work round');
    }
  });

  it('leaves sources and tests, URLs and relative folders alone', () => {
    expect(processWords('src/main/x.test.ts', planted)).toEqual([]);
    const fine = ['see https://example.org/home/page/ and ../tmp/x', 'out/tmp/a, ~/tmp/b', 'a session of the app'];
    expect(processWords('docs/MODEL.md', fine.join('\n'))).toEqual([]);
  });

  it('passes the repository as it is', () => {
    expect(repoProcessWords(REPO)).toEqual([]);
  });
});

describe('missingPaths', () => {
  const exists = (path: string) => ['src/main/segmenter', 'docs/MODEL.md', 'models/base'].includes(path);

  it('names each cited path that is not there, and passes those that are', () => {
    const text = [
      'The runtime (`src/main/segmenter`) is described in docs/MODEL.md.',
      'Gates in `src/main/model/lung-gate.ts:12` and docs/OLD.md, weights in models/base.',
    ].join('\n');
    expect(missingPaths('docs/X.md', text, exists)).toEqual([
      expect.objectContaining({ line: 2, why: 'src/main/model/lung-gate.ts does not exist' }),
      expect.objectContaining({ line: 2, why: 'docs/OLD.md does not exist' }),
    ]);
  });

  it('takes placeholders and patterns for what they are', () => {
    const text = 'models/<name>/model.json, src/main/*.ts, src/main/segmenter/…, tools/{a,b}.ts, ../shared/docs/x';
    expect(missingPaths('docs/X.md', text, exists)).toEqual([]);
  });
});

describe('missingSections', () => {
  const docs: Record<string, string> = {
    'MODEL.md': '# The model\n\n## Inference: prompt → mask\n\n### `decodeRule`\n',
    README: '# NextMask\n\n## Requirements\n',
  };
  const headings = (doc: string) => (doc in docs ? headingTitles(docs[doc] as string) : null);

  it('passes sections cited by the start of their heading, in the ways docs cite them', () => {
    const text = [
      'See docs/MODEL.md, "Inference", step 8; [MODEL.md](MODEL.md) ("decodeRule").',
      'To get CUDA, see README,',
      '"Requirements".',
    ].join('\n');
    expect(missingSections('docs/X.md', text, headings)).toEqual([]);
  });

  it('names a section its doc does not have and a doc that does not exist, on the citing line', () => {
    const text = 'Intro.\nAs MODEL.md "Cutting lesion answers lower" says.\nSee OLD.md, "Speed".';
    expect(missingSections('docs/X.md', text, headings)).toEqual([
      expect.objectContaining({ line: 2, why: 'MODEL.md has no section "Cutting lesion answers lower"' }),
      expect.objectContaining({ line: 3, why: 'OLD.md does not exist' }),
    ]);
  });
});

describe('repoMissingReferences', () => {
  it('passes the repository as it is', () => {
    expect(repoMissingReferences(REPO)).toEqual([]);
  });
});

describe('relativeImports', () => {
  it('reads static, type-only, multi-line, re-export, side-effect and dynamic imports, not packages', () => {
    const source = [
      "import { a } from '../data/a';",
      "import type { B } from './b';",
      'import {\n  c,\n  d,\n} from "../model/c";',
      "export { e } from '../e/e';",
      "import '../side/effect';",
      "const f = await import('../f/f');",
      "import { join } from 'node:path';",
    ].join('\n');
    expect(relativeImports(source)).toEqual(['../data/a', './b', '../model/c', '../e/e', '../side/effect', '../f/f']);
  });
});

describe('folder graph', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function tree(files: Record<string, string>): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'nextmask-imports-'));
    dirs.push(root);
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
    return root;
  }

  it('passes a one-way tree: arrows between folders, none inside one, tests left out', async () => {
    const root = await tree({
      'app.ts': "import { s } from './segmenter/run';",
      'log.ts': '',
      'segmenter/run.ts': "import { m } from '../model/net'; import { n } from './next'; import { l } from '../log';",
      'segmenter/next.ts': '',
      'model/net.ts': "import { r } from '../imaging/resample';",
      'model/net.test.ts': "import { s } from '../segmenter/run';",
      'imaging/resample.ts': "import { join } from 'node:path'; import { l } from '../log';",
    });
    const arrows = folderArrows(root, textFiles(root), readText);
    expect(arrows.map((a) => `${a.from}>${a.to}`).sort()).toEqual([
      'app>segmenter',
      'imaging>log',
      'model>imaging',
      'segmenter>log',
      'segmenter>model',
    ]);
    expect(importCycles(arrows)).toEqual([]);
  });

  it('reports a cycle through three folders with the import behind each arrow, and only that cycle', async () => {
    const root = await tree({
      'model/net.ts': "import { d } from '../data/samples';",
      'data/samples.ts': "import { g } from '../gates/cell';",
      'gates/cell.ts': "import { n } from '../model/net';",
      'eval/score.ts': "import { n } from '../model/net';",
      'store/a.ts': "import { b } from '../ipc/b';",
      'ipc/b.ts': "import { a } from '../store/a';",
    });
    const cycles = importCycles(folderArrows(root, textFiles(root), readText));
    const named = cycles.map((c) => c.map((a) => `${a.from}>${a.to}`).sort()).sort();
    expect(named).toEqual([
      ['data>gates', 'gates>model', 'model>data'],
      ['ipc>store', 'store>ipc'],
    ]);
    const arrow = cycles.flat().find((a) => a.from === 'data');
    expect(arrow).toMatchObject({ to: 'gates', file: join('data', 'samples.ts'), specifier: '../gates/cell' });
  });

  it('finds a cycle between two files of one folder, which the folder graph cannot see, and passes once it is cut', async () => {
    const files = {
      'engine/graph.ts': "import type { Initializer } from './onnx';",
      'engine/onnx.ts': "import type { Graph } from './graph'; import { w } from './protobuf';",
      'engine/protobuf.ts': '',
      'ipc/handlers.ts': "import { pacsHandlers } from './pacs-handlers';",
      'ipc/pacs-handlers.ts': "import type { HandlerTable } from './handlers';",
      'ipc/pacs-handlers.test.ts': "import { h } from './handlers';",
      'ipc/index.ts': "import { h } from './handlers';",
      'app.ts': "import { i } from './ipc'; import { g } from './engine/graph';",
    };
    const root = await tree(files);
    expect(importCycles(folderArrows(root, textFiles(root), readText))).toEqual([]);
    const cycles = importCycles(fileArrows(root, textFiles(root), readText));
    const named = cycles.map((c) => c.map((a) => `${a.from}>${a.to}`).sort()).sort();
    expect(named).toEqual([
      ['engine/graph>engine/onnx', 'engine/onnx>engine/graph'],
      ['ipc/handlers>ipc/pacs-handlers', 'ipc/pacs-handlers>ipc/handlers'],
    ]);
    expect(cycles.flat().find((a) => a.from === 'engine/graph')).toMatchObject({
      file: join('engine', 'graph.ts'),
      specifier: './onnx',
    });
    const cut = await tree({
      ...files,
      'engine/graph.ts': '',
      'ipc/pacs-handlers.ts': "import type { T } from './handler-types';",
    });
    expect(importCycles(fileArrows(cut, textFiles(cut), readText))).toEqual([]);
  });
});
