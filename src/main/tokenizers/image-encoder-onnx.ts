// The image tokenizer's encoder as an ONNX graph, built with the engine's graph builder so it runs on
// onnxruntime like the model: image [256, 256] (float, [0, 1]) → tokens [levels, 256] (int64), the same
// residual nearest-codeword search as ImageCodebook.encode (argmax of 2x·c − |c|², i.e. argmin distance).
import { exportInference } from '../engine/export';
import { GRID, PATCH, POSITIONS } from './grid';
import type { ImageCodebook } from './image-codebook';
import { PATCH_DIM } from './image-patches';
import { centroidNorms } from './nearest-centroid';

export function imageEncoderOnnx(codebook: ImageCodebook): Uint8Array {
  return exportInference((g) => {
    const image = g.input('image', 'float32', [GRID * PATCH, GRID * PATCH]);
    // [gy, dy, gx, dx] → [gy, gx, dy, dx]: one row per position, pixels row-major, as imageToPatches.
    let residual = g.reshape(g.transpose(g.reshape(image, [GRID, PATCH, GRID, PATCH]), [0, 2, 1, 3]), [
      POSITIONS,
      PATCH_DIM,
    ]);
    const two = g.scalar(2);
    const levels = [];
    for (let l = 0; l < codebook.levels; l++) {
      const codes = g.constant(codebook.level(l), [codebook.size, PATCH_DIM]);
      const norms = g.constant(centroidNorms(codebook.level(l), codebook.size, PATCH_DIM), [codebook.size]);
      const score = g.sub(g.mul(g.matmul(residual, g.transpose(codes, [1, 0])), two), norms);
      const tokens = g.argMax(score, -1);
      levels.push(g.unsqueeze(tokens, [0]));
      residual = g.sub(residual, g.gather(codes, tokens, 0));
    }
    return { tokens: g.concat(levels, 0) };
  }, {});
}
