// `nextmask tokenizers --data <folder> [--out models/tokenizers]`: learns the mask and image codebooks
// and the text vocabulary from the training split, measures their round trip on val, writes the files
// with a sha256 manifest, and rewrites the measured block of docs/DATA.md from those measurements.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateTokenizers, type TokenizerReport } from '../main/evaluation/evaluate-tokenizers';
import { type DocBlock, markdownTable, writeBlock } from '../main/files/doc-block';
import { buildTokenizers, DEFAULT_BUILD } from '../main/tokenizers/build-tokenizers';
import { ImageCodebook } from '../main/tokenizers/image-codebook';
import { imageEncoderOnnx } from '../main/tokenizers/image-encoder-onnx';
import { MaskCodebook } from '../main/tokenizers/mask-codebook';
import { TOKENIZER_FILES } from '../main/tokenizers/tokenizer-files';

export const DOC_START = '<!-- tokenizers-report:start (written by `npm run tokenizers`; do not edit by hand) -->';
export const DOC_END = '<!-- tokenizers-report:end -->';
const REPORT_BLOCK: DocBlock = { start: DOC_START, end: DOC_END };

export async function tokenizersCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      out: { type: 'string', default: 'models/tokenizers' },
      'val-split': { type: 'string', default: 'val' },
      doc: { type: 'string', default: 'docs/DATA.md' },
      'evaluate-only': { type: 'boolean', default: false },
      seed: { type: 'string', default: String(DEFAULT_BUILD.seed) },
      'mask-k': { type: 'string', default: String(DEFAULT_BUILD.maskSize) },
      'mask-iterations': { type: 'string', default: String(DEFAULT_BUILD.maskIterations) },
      'mask-area-exponent': { type: 'string', default: String(DEFAULT_BUILD.areaExponent) },
      'image-k': { type: 'string', default: String(DEFAULT_BUILD.imageSize) },
      'image-levels': { type: 'string', default: String(DEFAULT_BUILD.imageLevels) },
      'image-iterations': { type: 'string', default: String(DEFAULT_BUILD.imageIterations) },
      'image-count': { type: 'string', default: String(DEFAULT_BUILD.imageCount) },
    },
  });
  if (!values.data) throw new Error('--data <folder laid out like ../shared/data> is required');
  const dataDir = resolve(values.data);
  const outDir = resolve(values.out);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const int = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${values[name]}`);
    return n;
  };

  const nonNegative = (name: keyof typeof values) => {
    const x = Number(values[name]);
    if (!Number.isFinite(x) || x < 0) throw new Error(`--${name} must be a number ≥ 0, got ${values[name]}`);
    return x;
  };

  let mask: MaskCodebook;
  let image: ImageCodebook;
  let build: Record<string, unknown> = {};
  if (values['evaluate-only']) {
    mask = MaskCodebook.parse(await readFile(join(outDir, TOKENIZER_FILES.mask)));
    image = ImageCodebook.parse(await readFile(join(outDir, TOKENIZER_FILES.image)));
    build = JSON.parse(await readFile(join(outDir, 'tokenizers.json'), 'utf8')).build ?? {};
  } else {
    const options = {
      ...DEFAULT_BUILD,
      dataDir,
      log,
      seed: int('seed'),
      maskSize: int('mask-k'),
      maskIterations: int('mask-iterations'),
      areaExponent: nonNegative('mask-area-exponent'),
      imageSize: int('image-k'),
      imageLevels: int('image-levels'),
      imageIterations: int('image-iterations'),
      imageCount: int('image-count'),
    };
    const built = await buildTokenizers(options);
    ({ mask, image } = built);
    const { dataDir: _d, log: _l, ...settings } = options;
    build = { settings, stats: built.stats };
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, TOKENIZER_FILES.mask), mask.serialize());
    await writeFile(join(outDir, TOKENIZER_FILES.image), image.serialize());
    await writeFile(join(outDir, TOKENIZER_FILES.text), `${JSON.stringify(built.text.toJSON())}\n`);
  }

  // Written in both modes, so the ONNX form always matches the codebook beside it.
  await writeFile(join(outDir, TOKENIZER_FILES.imageEncoder), imageEncoderOnnx(image));
  log(`evaluating on ${values['val-split']} …`);
  const t0 = performance.now();
  const report = await evaluateTokenizers(dataDir, values['val-split'], mask, image);
  log(`evaluation: ${Math.round((performance.now() - t0) / 1000)} s`);
  const sha256: Record<string, string> = {};
  for (const file of Object.values(TOKENIZER_FILES)) {
    sha256[file] = createHash('sha256')
      .update(await readFile(join(outDir, file)))
      .digest('hex');
  }
  await writeFile(join(outDir, 'tokenizers.json'), `${JSON.stringify({ files: sha256, build, report }, null, 2)}\n`);
  if (values.doc) await writeBlock(resolve(values.doc), REPORT_BLOCK, renderReport(report, build));
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

function renderReport(report: TokenizerReport, build: Record<string, unknown>): string {
  const f = (x: number) => x.toFixed(4);
  const rows = Object.entries(report.mask).map(([group, s]) => [
    group,
    String(s.n),
    f(s.dice),
    f(s.iou),
    f(s.dicePooled),
    f(s.iouPooled),
  ]);
  const lines = [
    `Round trip on \`${report.split}\` (tokenize at 256x256, detokenize to the source size, LViT Dice/IoU):`,
    '',
    ...markdownTable(['masks', 'n', 'Dice (per image)', 'IoU (per image)', 'Dice (pooled)', 'IoU (pooled)'], rows),
  ];
  lines.push('', 'Image tokenizer, mean per-image PSNR (dB) at 256x256 using the first 1..L residual levels:', '');
  for (const [group, p] of Object.entries(report.imagePsnr)) {
    lines.push(
      `- ${group} (n=${p.n}): ${p.byLevels.map((v, l) => `${l + 1} level${l ? 's' : ''} ${v.toFixed(2)}`).join(', ')}`,
    );
  }
  if (report.lesions.length > 0) {
    lines.push(
      '',
      'What of a btxrd lesion survives the image tokens (all levels; `lesion-visibility.ts`), by lesion size as a share of the film:',
      '',
      ...markdownTable(
        ['lesion', 'n', 'PSNR inside (dB)', 'contrast kept (median)', 'correlation inside'],
        report.lesions.map((r) => [
          r.size,
          String(r.n),
          r.psnr.toFixed(2),
          r.contrastKept.toFixed(2),
          r.correlation.toFixed(2),
        ]),
      ),
    );
  }
  lines.push('', `Build: \`${JSON.stringify(build)}\``);
  return lines.join('\n');
}
