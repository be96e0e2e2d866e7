// A model folder: prefill.onnx and decode.onnx (weights embedded), model.json (architecture, training
// info, decoding rule), the tokenizer files it was trained with, and manifest.json (sha256 of each file).
// Training and fine-tuning write one; the segmenter opens one (segmenter/runtime/model-files.ts).
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchitectureConfig } from '../model/config';
import { decodeStepModel, prefillModel } from '../model/inference';
import { MODEL_TOKENIZER_FILES } from '../tokenizers/tokenizer-files';
import { MANIFEST_FILE, verifyManifest, writeManifest } from './manifest';

/** How a mask code is chosen from a head's logits: the most probable code, or see expected-patch.ts. */
export type DecodeRule = 'argmax' | 'expected';

/** Decoding settings a fine-tuning round fitted to its corrections: segment()'s defaults for this model. */
export interface ModelDecoding {
  /** Where a lesion's answer is cut from its map (segment()'s `lesionCut`). */
  lesionCut?: number;
}

/** The shipped model's folder, relative to the working directory: the app's and the command line's default. */
export const DEFAULT_MODEL_DIR = 'models/base';

/**
 * The region model's folder, beside the text model: it answers box and click prompts when the text model has
 * no region part of its own, so text answers stay exactly the text model's (docs/MODEL.md, "Pointing").
 */
export const DEFAULT_REGION_MODEL_DIR = 'models/region';

/** The command line's default folder: the region model for a box or clicks where it is installed, else the text model. */
export function defaultModelDir(pointed: boolean): string {
  return pointed && existsSync(DEFAULT_REGION_MODEL_DIR) ? DEFAULT_REGION_MODEL_DIR : DEFAULT_MODEL_DIR;
}

/**
 * The text model that answers beside the command line's default region model (the text before clicks, a
 * chest box on the whole film), as the app routes them; null when a model was named or the default is the
 * text model itself.
 */
export function textModelBeside(pointed: boolean, modelGiven: boolean): string | null {
  return pointed && !modelGiven && defaultModelDir(true) !== DEFAULT_MODEL_DIR ? DEFAULT_MODEL_DIR : null;
}

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
  /** What a fine-tuning round fitted (absent: the pipeline's own defaults). */
  decoding?: ModelDecoding;
}

/** The two inference graphs of `params`, weights embedded: a folder's prefill.onnx and decode.onnx. */
export function inferenceGraphs(
  architecture: ArchitectureConfig,
  params: Record<string, Float32Array>,
): { prefill: Uint8Array; decode: Uint8Array } {
  return { prefill: prefillModel(architecture, params), decode: decodeStepModel(architecture, params) };
}

export async function exportModel(
  dir: string,
  architecture: ArchitectureConfig,
  params: Record<string, Float32Array>,
  tokenizerDir: string,
  training: unknown,
  decodeRule: DecodeRule = 'argmax',
  decoding?: ModelDecoding,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file: ModelFile = {
    format: FORMAT,
    version: 1,
    architecture,
    training,
    decodeRule,
    ...(decoding ? { decoding } : {}),
  };
  const graphs = inferenceGraphs(architecture, params);
  const written: Record<string, Uint8Array> = {
    [MODEL_FILES.prefill]: graphs.prefill,
    [MODEL_FILES.decode]: graphs.decode,
    [MODEL_FILES.config]: Buffer.from(`${JSON.stringify(file, null, 2)}\n`),
  };
  for (const [name, bytes] of Object.entries(written)) await writeFile(join(dir, name), bytes);
  for (const name of MODEL_TOKENIZER_FILES) await copyFile(join(tokenizerDir, name), join(dir, name));
  await writeManifest(dir, [...Object.keys(written), ...MODEL_TOKENIZER_FILES]);
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

/** The files a loaded model reads: each must be in the manifest, unchanged. */
const LOADED_FILES = [MODEL_FILES.prefill, MODEL_FILES.decode, MODEL_FILES.config, ...MODEL_TOKENIZER_FILES];

/** A model folder's files copied byte for byte into `dir`, with a manifest over them (a version that equals its parent). */
export async function copyModel(from: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of LOADED_FILES) await copyFile(join(from, name), join(dir, name));
  await writeManifest(dir, LOADED_FILES);
}

/** model.json's `decoding`, checked: {} when absent (folders written before it keep loading). */
function decodingOf(file: ModelFile, configPath: string): ModelDecoding {
  const { decoding } = file;
  if (decoding === undefined) return {};
  if (typeof decoding !== 'object' || decoding === null) throw new Error(`${configPath}: decoding is not an object`);
  const { lesionCut } = decoding;
  if (lesionCut === undefined) return {};
  if (typeof lesionCut !== 'number' || !(lesionCut > 0 && lesionCut <= 1))
    throw new Error(`${configPath}: decoding.lesionCut must be a number in (0, 1], not ${JSON.stringify(lesionCut)}`);
  return { lesionCut };
}

/**
 * A folder about to be loaded: its model.json, every file it reads checked against the manifest, its rule
 * and its fitted decoding settings.
 */
export async function readVerifiedModel(
  dir: string,
): Promise<{ file: ModelFile; rule: DecodeRule; decoding: ModelDecoding }> {
  const file = await readModelFile(dir);
  await verifyManifest(dir, LOADED_FILES);
  const configPath = join(dir, MODEL_FILES.config);
  const rule = file.decodeRule ?? 'argmax';
  if (rule !== 'argmax' && rule !== 'expected') throw new Error(`${configPath}: unknown decodeRule "${rule}"`);
  return { file, rule, decoding: decodingOf(file, configPath) };
}

/** The two graphs' bytes. */
export async function readGraphs(dir: string): Promise<{ prefill: Buffer; decode: Buffer }> {
  const [prefill, decode] = await Promise.all([
    readFile(join(dir, MODEL_FILES.prefill)),
    readFile(join(dir, MODEL_FILES.decode)),
  ]);
  return { prefill, decode };
}
