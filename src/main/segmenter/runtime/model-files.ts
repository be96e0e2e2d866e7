// A shipped model folder: prefill.onnx and decode.onnx (weights embedded), model.json (architecture,
// training info), the tokenizer files it was trained with, and manifest.json (sha256 of each file).
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionOptions } from '../../engine/session';
import type { ArchitectureConfig } from '../../model/config';
import { layoutOf } from '../../model/config';
import { decodeStepModel, prefillModel } from '../../model/inference';
import { type DecoderModels, openDecoderModels } from './decoder-session';
import { MANIFEST_FILE, verifyManifest, writeManifest } from './manifest';
import { loadTokenizers, TOKENIZER_FILES, type Tokenizers } from './tokenizer-set';

/** How a mask code is chosen from a head's logits: the most probable code, or see expected-patch.ts. */
export type DecodeRule = 'argmax' | 'expected';

const FORMAT = 'nextmask-ntp-mriseg';
export const MODEL_FILES = {
  prefill: 'prefill.onnx',
  decode: 'decode.onnx',
  config: 'model.json',
  manifest: MANIFEST_FILE,
};

export interface ModelFile {
  format: typeof FORMAT;
  version: 1;
  architecture: ArchitectureConfig;
  /** Free-form training information (config, steps, val metrics). */
  training: unknown;
  /** How mask codes are chosen from the logits (see segment.ts); absent means argmax. */
  decodeRule?: DecodeRule;
}

export async function exportModel(
  dir: string,
  architecture: ArchitectureConfig,
  params: Record<string, Float32Array>,
  tokenizerDir: string,
  training: unknown,
  decodeRule: DecodeRule = 'argmax',
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file: ModelFile = { format: FORMAT, version: 1, architecture, training, decodeRule };
  const written: Record<string, Uint8Array> = {
    [MODEL_FILES.prefill]: prefillModel(architecture, params),
    [MODEL_FILES.decode]: decodeStepModel(architecture, params),
    [MODEL_FILES.config]: Buffer.from(`${JSON.stringify(file, null, 2)}\n`),
  };
  for (const [name, bytes] of Object.entries(written)) await writeFile(join(dir, name), bytes);
  for (const name of TOKENIZER_FILES) await copyFile(join(tokenizerDir, name), join(dir, name));
  await writeManifest(dir, [...Object.keys(written), ...TOKENIZER_FILES]);
}

/** The files loadModel reads: each must be in the manifest, unchanged. */
const LOADED_FILES = [MODEL_FILES.prefill, MODEL_FILES.decode, MODEL_FILES.config, ...TOKENIZER_FILES];

export interface SegmentationModel extends DecoderModels {
  architecture: ArchitectureConfig;
  tokenizers: Tokenizers;
  /** The decoding rule the model was validated with, segment()'s default for it. */
  rule: DecodeRule;
}

/** Frees a loaded model's sessions. */
export async function releaseModel(model: SegmentationModel): Promise<void> {
  await Promise.all([model.prefill.release(), model.decode.release(), model.tokenizers.imageEncoder.release()]);
}

/** A model folder's model.json, checked to be this format. */
export async function readModelFile(dir: string): Promise<ModelFile> {
  const configPath = join(dir, MODEL_FILES.config);
  if (!existsSync(configPath))
    throw new Error(`no model in ${dir} (${MODEL_FILES.config} is missing); train one with npm run train`);
  const file = JSON.parse(await readFile(configPath, 'utf8')) as Partial<ModelFile>;
  if (file.format !== FORMAT || file.version !== 1 || !file.architecture) {
    throw new Error(`${configPath} is not a ${FORMAT} version 1 model`);
  }
  return file as ModelFile;
}

/** Opens a model folder; `options` is a thread count or full session options (provider with CPU fallback). */
export async function loadModel(dir: string, options?: number | SessionOptions): Promise<SegmentationModel> {
  const file = await readModelFile(dir);
  await verifyManifest(dir, LOADED_FILES);
  const architecture = file.architecture;
  const rule = file.decodeRule ?? 'argmax';
  if (rule !== 'argmax' && rule !== 'expected')
    throw new Error(`${join(dir, MODEL_FILES.config)}: unknown decodeRule "${rule}"`);
  const tokenizers = await loadTokenizers(dir);
  const layout = layoutOf(architecture);
  if (layout.maskCodes !== tokenizers.mask.size || layout.textVocab !== tokenizers.text.size) {
    throw new Error(`${dir}: the tokenizer files do not match the model's token sizes`);
  }
  const [prefill, decode] = await Promise.all([
    readFile(join(dir, MODEL_FILES.prefill)),
    readFile(join(dir, MODEL_FILES.decode)),
  ]);
  // No spinning by default: idle intra-op threads that spin take the cores the rest of the app (and
  // whatever else runs) needs; on the shared 2-core machine that made answers 1.6x slower
  // (docs/BENCHMARKS.md, "Faster answers").
  const sessionOptions = { spin: false, ...(typeof options === 'number' ? { threads: options } : (options ?? {})) };
  let models: DecoderModels;
  try {
    models = await openDecoderModels(architecture, { prefill, decode }, sessionOptions);
  } catch (err) {
    // onnxruntime's own words name C++ source lines; say what failed and keep its first line for reference.
    const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 200);
    throw new Error(
      `the model in ${dir} cannot be opened: its ${MODEL_FILES.prefill} or ${MODEL_FILES.decode} is not a graph this version of NextMask can run (${detail})`,
    );
  }
  return { ...models, architecture, tokenizers, rule };
}
