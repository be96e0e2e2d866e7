// The three tokenizers a model reads and writes with, loaded from one folder (models/tokenizers or a
// model folder): mask codebook, image codebook (run as its ONNX encoder) and compact text vocabulary.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import {
  imageIds,
  priorLevels,
  type RegionPrompt,
  regionIds,
  type TokenLayout,
  type TokenSizes,
  textIds,
} from '../../../shared/tokens';
import { hostTensor, openSession } from '../../engine/session';
import type { Mask, Plane } from '../../imaging/resample';
import type { ArchitectureConfig } from '../../model/config';
import { ImageCodebook } from '../../tokenizers/image-codebook';
import { imageEncoderOnnx } from '../../tokenizers/image-encoder-onnx';
import { MaskCodebook } from '../../tokenizers/mask-codebook';
import { TextVocab } from '../../tokenizers/text-vocab';
import { MODEL_TOKENIZER_FILES } from '../../tokenizers/tokenizer-files';

export interface Tokenizers {
  mask: MaskCodebook;
  image: ImageCodebook;
  text: TextVocab;
  imageEncoder: ort.InferenceSession;
}

export async function loadTokenizers(dir: string): Promise<Tokenizers> {
  const [maskBytes, imageBytes, textJson] = await Promise.all(MODEL_TOKENIZER_FILES.map((f) => readFile(join(dir, f))));
  const image = ImageCodebook.parse(imageBytes as Buffer);
  const { session } = await openSession(imageEncoderOnnx(image), { threads: 1 });
  return {
    mask: MaskCodebook.parse(maskBytes as Buffer),
    image,
    text: TextVocab.parse((textJson as Buffer).toString('utf8')),
    imageEncoder: session,
  };
}

/** The token sizes these tokenizers give, with the model's text length and region part. */
export function tokenSizes(
  t: Tokenizers,
  maxText: number,
  region: { regionBins?: number; regionClicks?: number } = {},
): TokenSizes {
  return {
    maskCodes: t.mask.size,
    imageLevels: t.image.levels,
    imageCodes: t.image.size,
    textVocab: t.text.size,
    maxText,
    ...(region.regionBins ? { regionBins: region.regionBins, regionClicks: region.regionClicks ?? 0 } : {}),
  };
}

/** A training config's architecture with the token sizes of `t`. */
export function architectureOf(
  a: { width: number; heads: number; layers: number; mlpRatio?: number; predictHeads: number; maxText: number } & {
    regionBins?: number;
    regionClicks?: number;
  },
  t: Tokenizers,
): ArchitectureConfig {
  const { maxText, regionBins, regionClicks, ...shape } = a;
  return { ...shape, tokens: tokenSizes(t, maxText, { regionBins, regionClicks }) };
}

/** Image tokens, level-major (as ImageCodebook.encode), for a 256x256 image in [0, 1]. */
export async function encodeImage(t: Tokenizers, image: Plane<Float32Array>): Promise<Int32Array> {
  const out = await t.imageEncoder.run({ image: hostTensor(image.data, [image.height, image.width]) });
  return Int32Array.from(out.tokens?.data as BigInt64Array, Number);
}

export interface SampleTokens {
  /** Combined ids, [position][level]. */
  image: Int32Array;
  /** maxText combined ids, then the region slots' ids (layout.promptTokens in all). */
  text: Int32Array;
  /** The prior's levels (layout.priorTokens: 256 with a region part, else none). */
  prior: Int32Array;
  /** 256 mask codes (combined ids: mask codes come first). */
  mask: Uint16Array;
}

export async function tokenizeSample(
  t: Tokenizers,
  layout: TokenLayout,
  sample: { image: Plane<Float32Array>; text: string; mask: Mask; region?: RegionPrompt; prior?: Mask | null },
): Promise<SampleTokens> {
  const [imageTokens, text] = await Promise.all([encodeImage(t, sample.image), t.text.encode(sample.text)]);
  const prompt = new Int32Array(layout.promptTokens);
  prompt.set(textIds(layout, text));
  prompt.set(regionIds(layout, sample.region ?? {}), layout.maxText);
  const prior = layout.priorTokens > 0 ? priorLevels(sample.prior ?? null) : new Int32Array(0);
  if (sample.prior && layout.priorTokens === 0) throw new Error('this model takes no previous answer');
  return { image: imageIds(layout, imageTokens), text: prompt, prior, mask: t.mask.encode(sample.mask) };
}
