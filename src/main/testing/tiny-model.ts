// Small models of the real format for tests: seeded tokenizer files (the learned ones take minutes
// to build) and a randomly initialised, exported model folder that loadModel opens like a trained one.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng } from '../data/rng';
import { makeTrainStep } from '../engine/train-step';
import { initialParams } from '../engine/trainer';
import { type ArchitectureConfig, DEFAULT_LOSSES } from '../model/config';
import { type DecodeRule, exportModel } from '../model-files/model-folder';
import { loadTokenizers, tokenSizes } from '../segmenter/runtime/tokenizer-set';
import { WORDS } from '../tokenizers/binary-patches';
import { ImageCodebook } from '../tokenizers/image-codebook';
import { MaskCodebook } from '../tokenizers/mask-codebook';
import { loadQwenEncoder, TextVocab } from '../tokenizers/text-vocab';
import { modelBatch, modelLoss } from '../training/train-graph';

/** Seeded mask codebook (16 codes: empty, full, random), image codebook (2 levels x 8) and text vocabulary. */
export async function writeTinyTokenizers(dir: string): Promise<void> {
  const rng = createRng(7);
  const bits = new Uint32Array(16 * WORDS);
  bits.fill(0xffffffff, WORDS, 2 * WORDS);
  for (let i = 2 * WORDS; i < bits.length; i++) bits[i] = Math.floor(rng.next() * 2 ** 32);
  const centroids = Float32Array.from({ length: 2 * 8 * 256 }, (_, i) =>
    i < 8 * 256 ? rng.next() : (rng.next() - 0.5) * 0.1,
  );
  const texts = ['left lung', 'right lung', 'both lungs', 'Bilateral pulmonary infection, two infected areas'];
  const vocab = TextVocab.build(texts, await loadQwenEncoder());
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'mask-codebook.bin'), new MaskCodebook(bits).serialize());
  await writeFile(join(dir, 'image-codebook.bin'), new ImageCodebook(2, 8, centroids).serialize());
  await writeFile(join(dir, 'text-vocab.json'), JSON.stringify(vocab.toJSON()));
}

/** A decoder small enough for exhaustive decoding tests (hand-sized vocabularies, 2 layers). */
export const TINY_DECODER_ARCH: ArchitectureConfig = {
  width: 16,
  heads: 2,
  layers: 2,
  predictHeads: 3,
  tokens: { maskCodes: 6, imageLevels: 2, imageCodes: 5, textVocab: 7, maxText: 4 },
};

/** Randomly initialised weights for `arch`, multiplied by `scale` (larger: the untrained model's choices vary more). */
export function randomParams(arch: ArchitectureConfig, seed: number, scale = 1): Record<string, Float32Array> {
  const program = makeTrainStep({ batch: modelBatch(arch, DEFAULT_LOSSES, 1), loss: modelLoss(arch, DEFAULT_LOSSES) });
  const values = initialParams(program.params, seed);
  return Object.fromEntries(program.params.map((p, i) => [p.name, (values[i] as Float32Array).map((v) => v * scale)]));
}

/** The region part a tiny model takes when asked for one: 16 bins, as many clicks as the app's refinement allows. */
export const TINY_REGION = { regionBins: 16, regionClicks: 6 };

/**
 * Exports a tiny random model (with tiny tokenizers) to `dir`, as training would export a real one;
 * `region` gives it a region part (box and click tokens, the prior).
 */
export async function writeRandomModel(
  dir: string,
  seed = 1,
  decodeRule: DecodeRule = 'argmax',
  region?: { regionBins: number; regionClicks: number },
): Promise<void> {
  const tokenizerDir = join(dir, 'tokenizers');
  await writeTinyTokenizers(tokenizerDir);
  const tokenizers = await loadTokenizers(tokenizerDir);
  await tokenizers.imageEncoder.release();
  const arch: ArchitectureConfig = {
    width: 16,
    heads: 2,
    layers: 1,
    predictHeads: 3,
    tokens: tokenSizes(tokenizers, 24, region),
  };
  await exportModel(
    join(dir, 'model'),
    arch,
    randomParams(arch, seed, 20),
    tokenizerDir,
    { random: true, seed },
    decodeRule,
  );
}
