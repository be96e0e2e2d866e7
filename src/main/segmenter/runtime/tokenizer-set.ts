// The three tokenizers a model reads and writes with, loaded from one folder (models/tokenizers or a
// model folder): mask codebook, image codebook (run as its ONNX encoder) and compact text vocabulary.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { imageIds, type TokenLayout, type TokenSizes, textIds } from '../../../shared/tokens';
import { hostTensor, openSession } from '../../engine/session';
import type { Mask, Plane } from '../../imaging/resample';
import { ImageCodebook } from '../../tokenizers/image-codebook';
import { imageEncoderOnnx } from '../../tokenizers/image-encoder-onnx';
import { MaskCodebook } from '../../tokenizers/mask-codebook';
import { TextVocab } from '../../tokenizers/text-vocab';

/** File names as `npm run tokenizers` writes them (src/cli/tokenizers.ts). */
export const TOKENIZER_FILES = ['mask-codebook.bin', 'image-codebook.bin', 'text-vocab.json'] as const;

export interface Tokenizers {
  mask: MaskCodebook;
  image: ImageCodebook;
  text: TextVocab;
  imageEncoder: ort.InferenceSession;
}

export async function loadTokenizers(dir: string): Promise<Tokenizers> {
  const [maskBytes, imageBytes, textJson] = await Promise.all(TOKENIZER_FILES.map((f) => readFile(join(dir, f))));
  const image = ImageCodebook.parse(imageBytes as Buffer);
  const { session } = await openSession(imageEncoderOnnx(image), { threads: 1 });
  return {
    mask: MaskCodebook.parse(maskBytes as Buffer),
    image,
    text: TextVocab.parse((textJson as Buffer).toString('utf8')),
    imageEncoder: session,
  };
}

/** The token sizes these tokenizers give, with the model's text length. */
export function tokenSizes(t: Tokenizers, maxText: number): TokenSizes {
  return {
    maskCodes: t.mask.size,
    imageLevels: t.image.levels,
    imageCodes: t.image.size,
    textVocab: t.text.size,
    maxText,
  };
}

/** Image tokens, level-major (as ImageCodebook.encode), for a 256x256 image in [0, 1]. */
export async function encodeImage(t: Tokenizers, image: Plane<Float32Array>): Promise<Int32Array> {
  const out = await t.imageEncoder.run({ image: hostTensor(image.data, [image.height, image.width]) });
  return Int32Array.from(out.tokens?.data as BigInt64Array, Number);
}

export interface SampleTokens {
  /** Combined ids, [position][level]. */
  image: Int32Array;
  /** maxText combined ids. */
  text: Int32Array;
  /** 256 mask codes (combined ids: mask codes come first). */
  mask: Uint16Array;
}

export async function tokenizeSample(
  t: Tokenizers,
  layout: TokenLayout,
  sample: { image: Plane<Float32Array>; text: string; mask: Mask },
): Promise<SampleTokens> {
  const [imageTokens, text] = await Promise.all([encodeImage(t, sample.image), t.text.encode(sample.text)]);
  return { image: imageIds(layout, imageTokens), text: textIds(layout, text), mask: t.mask.encode(sample.mask) };
}
