import type { SessionOptions } from '../../engine/session';
import type { ArchitectureConfig } from '../../model/config';
import { layoutOf } from '../../model/config';
import {
  type DecodeRule,
  inferenceGraphs,
  MODEL_FILES,
  type ModelDecoding,
  readGraphs,
  readVerifiedModel,
} from '../../model-files/model-folder';
import { type DecoderModels, openDecoderModels } from './decoder-session';
import { loadTokenizers, type Tokenizers } from './tokenizer-set';

// The pipeline types its rule option with the folder's DecodeRule through this module.
export type { DecodeRule, ModelDecoding };

export interface SegmentationModel extends DecoderModels {
  architecture: ArchitectureConfig;
  tokenizers: Tokenizers;
  /** The decoding rule the model was validated with, segment()'s default for it. */
  rule: DecodeRule;
  /** The settings a fine-tuning round fitted (model.json `decoding`), segment()'s defaults for it; {}: none. */
  decoding: ModelDecoding;
}

/** Frees a loaded model's sessions. */
export async function releaseModel(model: SegmentationModel): Promise<void> {
  await Promise.all([model.prefill.release(), model.decode.release(), model.tokenizers.imageEncoder.release()]);
}

/**
 * Opens a model folder; `options` is a thread count or full session options (provider with CPU fallback).
 * `params`: weights to answer with instead of the folder's own (a fine-tuning epoch's), its graphs built
 * in memory as an export would write them, so nothing is written.
 */
export async function loadModel(
  dir: string,
  options?: number | SessionOptions,
  params?: Record<string, Float32Array>,
): Promise<SegmentationModel> {
  const { file, rule, decoding } = await readVerifiedModel(dir);
  const architecture = file.architecture;
  const tokenizers = await loadTokenizers(dir);
  const layout = layoutOf(architecture);
  if (layout.maskCodes !== tokenizers.mask.size || layout.textVocab !== tokenizers.text.size) {
    throw new Error(`${dir}: the tokenizer files do not match the model's token sizes`);
  }
  const graphs = params ? inferenceGraphs(architecture, params) : await readGraphs(dir);
  // No spinning by default: idle intra-op threads that spin take the cores the rest of the app (and
  // whatever else runs) needs; on a 2-core machine that made answers 1.6x slower
  // (docs/BENCHMARKS.md, "Faster answers").
  const sessionOptions = { spin: false, ...(typeof options === 'number' ? { threads: options } : (options ?? {})) };
  let models: DecoderModels;
  try {
    models = await openDecoderModels(architecture, graphs, sessionOptions);
  } catch (err) {
    // onnxruntime's own words name C++ source lines; say what failed and keep its first line for reference.
    const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 200);
    throw new Error(
      `the model in ${dir} cannot be opened: its ${MODEL_FILES.prefill} or ${MODEL_FILES.decode} is not a graph this version of NextMask can run (${detail})`,
    );
  }
  return { ...models, architecture, tokenizers, rule, decoding };
}
