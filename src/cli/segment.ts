// `nextmask segment <file.dcm|file.png|file.jpg> --prompt "…" --out <mask.png|result.dcm> [--json]
// [--box x0,y0,x1,y1] [--click x,y[,neg]]… [--model <dir> (default models/base; with a box or clicks models/region
// where installed)] [--frame N] [--threads N]`: one prompt → one
// mask, written as a 0/255 PNG of the source image's size, or (DICOM input, --out *.dcm) as a DICOM SEG
// referencing the input. A box or clicks (source pixel coordinates) are decoded zoomed (pointed.ts);
// with them the text may be empty. With --json the line also says what the model read (`fed`, the
// canonical text where the prompt has one), the reading as the prompt box shows it and the scope
// notices. An empty prompt, or one over 10 000 characters, is refused.
// Usage errors exit 2; bad input throws (nextmask prints one line, exits 1). The output appears
// whole or not at all: it is written to a temporary file beside it and renamed.
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeWhole } from '../main/files/write-whole';
import type { Box } from '../main/imaging/zoom-window';
import { encodeMaskPng } from '../main/io/png-mask';
import { defaultModelDir, textModelBeside } from '../main/model-files/model-folder';
import { readPrompt } from '../main/prompt/reading';
import { scopeNotices } from '../main/prompt/scope';
import { shownReading } from '../main/prompt/shown-reading';
import { writeAiSeg } from '../main/seg/ai-seg';
import { answerCoding, answerNotices } from '../main/segmenter/pipeline/answer-notices';
import { checkPointable, segmentPointed } from '../main/segmenter/pipeline/pointed';
import { segment } from '../main/segmenter/pipeline/segment';
import { prepareInput } from '../main/segmenter/prepare-input';
import { loadModel, releaseModel, type SegmentationModel } from '../main/segmenter/runtime/model-files';
import { resultNote } from '../shared/segment-types';
import { MAX_PROMPT_LENGTH, promptTooLong } from '../shared/shown-reading';
import type { RegionClick } from '../shared/tokens';

export const SEGMENT_USAGE =
  'usage: nextmask segment <file.dcm|file.png|file.jpg> --prompt "…" --out <mask.png|result.dcm> ' +
  '[--json] [--box x0,y0,x1,y1] [--click x,y[,neg]]… [--model <dir>] [--frame N] [--threads N]';

interface Request {
  input: string;
  prompt: string;
  out: string;
  seg: boolean;
  json: boolean;
  modelDir: string;
  modelGiven: boolean;
  frame: number;
  threads: number | undefined;
  box: Box | undefined;
  clicks: RegionClick[];
}

/** `--box x0,y0,x1,y1`: four numbers. */
export function parseBox(text: string): Box {
  const v = text.split(',').map((t) => Number(t.trim()));
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n)))
    throw new Error(`--box must be four numbers x0,y0,x1,y1 (source pixels), got "${text}"`);
  const [x0, y0, x1, y1] = v as [number, number, number, number];
  return { x0, y0, x1, y1 };
}

/** `--click x,y` (adds) or `--click x,y,neg` (removes), at the centre of pixel (x, y). */
export function parseClick(text: string): RegionClick {
  const parts = text.split(',').map((t) => t.trim());
  const [x, y] = parts.slice(0, 2).map(Number) as [number, number];
  const sign = parts[2];
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    !Number.isFinite(x) ||
    !Number.isFinite(y) ||
    (sign !== undefined && sign !== 'neg' && sign !== 'pos')
  )
    throw new Error(`--click must be x,y or x,y,neg (source pixels), got "${text}"`);
  return { x: x + 0.5, y: y + 0.5, positive: sign !== 'neg' };
}

function wholeNumber(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}

/** The arguments as a request; throws a usage message. */
function parseRequest(argv: string[]): Request {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      prompt: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      model: { type: 'string' },
      frame: { type: 'string' },
      threads: { type: 'string' },
      box: { type: 'string' },
      click: { type: 'string', multiple: true },
    },
  });
  if (positionals.length !== 1) throw new Error(`expected one input file, got ${positionals.length}`);
  if (values.prompt === undefined) throw new Error('--prompt "…" is required');
  if (!values.out) throw new Error('--out <mask.png|result.dcm> is required');
  const ext = extname(values.out).toLowerCase();
  if (ext !== '.png' && ext !== '.dcm') throw new Error(`--out must end in .png or .dcm, got "${values.out}"`);
  const box = values.box === undefined ? undefined : parseBox(values.box);
  const clicks = (values.click ?? []).map(parseClick);
  return {
    input: resolve(positionals[0] as string),
    prompt: values.prompt,
    out: resolve(values.out),
    seg: ext === '.dcm',
    json: values.json,
    modelDir: resolve(values.model ?? defaultModelDir(box !== undefined || clicks.length > 0)),
    modelGiven: values.model !== undefined,
    frame: wholeNumber('frame', values.frame, 0) ?? 0,
    threads: wholeNumber('threads', values.threads, 1),
    box,
    clicks,
  };
}

async function openModel(request: Request): Promise<SegmentationModel> {
  const missing = await stat(request.modelDir).then(
    (s) => !s.isDirectory(),
    () => true,
  );
  if (missing) {
    const how = request.modelGiven
      ? 'pass --model <folder> with a model folder'
      : 'run it from the repository root (models/base ships there), or train one with `npm run train -- --config configs/<name>.json` and pass --model <out>/model';
    throw new Error(`no model folder at ${request.modelDir}: ${how}`);
  }
  try {
    return await loadModel(request.modelDir, request.threads);
  } catch (err) {
    throw new Error(
      `cannot load the model in ${request.modelDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export async function segmentCommand(argv: string[]): Promise<number> {
  let request: Request;
  try {
    request = parseRequest(argv);
  } catch (err) {
    process.stderr.write(`nextmask segment: ${err instanceof Error ? err.message : String(err)}\n${SEGMENT_USAGE}\n`);
    return 2;
  }
  const started = performance.now();
  const prompt = request.prompt.trim();
  const pointed = request.box !== undefined || request.clicks.length > 0;
  if (!prompt && !pointed)
    throw new Error('the prompt is empty: say what to segment, e.g. --prompt "left lung", or give --box or --click');
  // The most the app's channels take: longer is refused, not cut, so nothing the clinician wrote is dropped unsaid.
  if (prompt.length > MAX_PROMPT_LENGTH) throw new Error(promptTooLong(prompt.length));
  // Cheap checks first, so bad input fails before the model loads.
  const input = await prepareInput(request.input, request.frame);
  if (pointed) checkPointable(input.modality);
  if (request.seg && input.dicomFrames === undefined) {
    throw new Error(`a DICOM SEG needs DICOM input; ${basename(request.input)} is an image file (use --out mask.png)`);
  }
  if (request.seg && input.dicomFrames !== 1) {
    throw new Error(`a DICOM SEG is written for single-frame input only; use --out mask.png with --frame N`);
  }
  await access(dirname(request.out), constants.W_OK).catch(() => {
    throw new Error(`cannot write ${request.out}: its folder does not exist or is not writable`);
  });

  const model = await openModel(request);
  // As the app routes a box: the text model beside the default region model answers a chest box on the whole film.
  const textDir = textModelBeside(pointed, request.modelGiven);
  const textModel = textDir ? await openModel({ ...request, modelDir: resolve(textDir) }) : undefined;
  const reading = readPrompt(prompt);
  try {
    const result = pointed
      ? await segmentPointed(
          model,
          input.film,
          reading,
          { ...(request.box ? { box: request.box } : {}), clicks: request.clicks },
          textModel ? { textModel } : {},
        )
      : await segment(model, input.image, reading, input);
    const mask = result.mask;
    if (request.seg) {
      const coding = answerCoding(reading, input.modality);
      await writeWhole(request.out, (tmp) =>
        writeAiSeg({
          sourcePaths: [request.input],
          masks: [mask],
          prompt,
          algorithm: { name: 'NextMask NTP-MRISeg', version: basename(request.modelDir) },
          outPath: tmp,
          ...(coding ? { coding } : {}),
        }),
      );
    } else {
      await writeWhole(request.out, (tmp) => writeFile(tmp, encodeMaskPng(mask)));
    }
    let foreground = 0;
    for (const v of mask.data) if (v) foreground++;
    const ms = Math.round(performance.now() - started);
    const { notices, lowConfidence } = answerNotices({
      ...result,
      reading,
      ...(input.modality ? { modality: input.modality } : {}),
      ...(input.bodyPart ? { bodyPart: input.bodyPart } : {}),
    });
    const note = [resultNote(result), ...notices].filter(Boolean).join('; ');
    const summary = {
      output: request.out,
      width: mask.width,
      height: mask.height,
      foreground,
      ms,
      forwardPasses: result.forwardPasses,
      threshold: result.threshold,
      cut: result.cut,
      gated: result.gated,
      confidence: result.confidence,
      lowConfidence,
      notices,
      // What the prompt was read as: the text the model read, the reading the prompt box shows (terms,
      // words not understood, coding) and what it asks for outside the model.
      fed: result.fed,
      reading: shownReading(reading),
      scope: scopeNotices(reading),
      model: request.modelDir,
    };
    process.stdout.write(
      request.json
        ? `${JSON.stringify(summary)}\n`
        : `wrote ${request.out} (${mask.width}x${mask.height}, ${foreground} foreground pixels${note ? `, ${note}` : ''}) in ${ms} ms\n`,
    );
    return 0;
  } finally {
    await releaseModel(model);
    if (textModel) await releaseModel(textModel);
  }
}
