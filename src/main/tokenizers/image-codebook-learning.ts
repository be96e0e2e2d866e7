// Learning the image codebook: k-means per level on the residuals the earlier levels leave.
import { createRng, shuffled } from '../data/rng';
import { ImageCodebook } from './image-codebook';
import { PATCH_DIM } from './image-patches';
import { centroidNorms, nearestCentroid } from './nearest-centroid';

export interface ImageLearnOptions {
  levels: number;
  size: number;
  iterations: number;
  seed: number;
  onIteration?: (level: number, iteration: number, meanSquaredError: number) => void;
}

/** `patches`: n x 256 training patch vectors (consumed: they become the last level's residuals). */
export function learnImageCodebook(patches: Float32Array, options: ImageLearnOptions): ImageCodebook {
  const n = patches.length / PATCH_DIM;
  if (n < options.size)
    throw new Error(`need at least ${options.size} patches to learn ${options.size} codes, got ${n}`);
  const rng = createRng(options.seed);
  const all = new Float32Array(options.levels * options.size * PATCH_DIM);
  const assignment = new Int32Array(n);
  for (let l = 0; l < options.levels; l++) {
    const centroids = all.subarray(l * options.size * PATCH_DIM, (l + 1) * options.size * PATCH_DIM);
    const starts = shuffled(
      rng,
      Array.from({ length: n }, (_, i) => i),
    ).slice(0, options.size);
    starts.forEach((i, c) => {
      centroids.set(patches.subarray(i * PATCH_DIM, (i + 1) * PATCH_DIM), c * PATCH_DIM);
    });
    for (let it = 0; it < options.iterations; it++) {
      const mse = assign(patches, n, centroids, options.size, assignment);
      options.onIteration?.(l, it, mse);
      update(patches, n, centroids, options.size, assignment);
    }
    assign(patches, n, centroids, options.size, assignment);
    for (let i = 0; i < n; i++) {
      const c = assignment[i] as number;
      for (let j = 0; j < PATCH_DIM; j++) {
        patches[i * PATCH_DIM + j] = (patches[i * PATCH_DIM + j] as number) - (centroids[c * PATCH_DIM + j] as number);
      }
    }
  }
  return new ImageCodebook(options.levels, options.size, all);
}

/** Assigns every patch to its nearest centroid; returns the mean squared error per pixel. */
function assign(patches: Float32Array, n: number, centroids: Float32Array, k: number, assignment: Int32Array): number {
  const norms = centroidNorms(centroids, k, PATCH_DIM);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const c = nearestCentroid(patches, i * PATCH_DIM, centroids, norms, k, PATCH_DIM);
    assignment[i] = c;
    for (let j = 0; j < PATCH_DIM; j++) {
      sse += ((patches[i * PATCH_DIM + j] as number) - (centroids[c * PATCH_DIM + j] as number)) ** 2;
    }
  }
  return sse / (n * PATCH_DIM);
}

/** Moves each centroid to its patches' mean; a centroid with none keeps its place. */
function update(patches: Float32Array, n: number, centroids: Float32Array, k: number, assignment: Int32Array): void {
  const sums = new Float64Array(k * PATCH_DIM);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = assignment[i] as number;
    counts[c] = (counts[c] as number) + 1;
    for (let j = 0; j < PATCH_DIM; j++)
      sums[c * PATCH_DIM + j] = (sums[c * PATCH_DIM + j] as number) + (patches[i * PATCH_DIM + j] as number);
  }
  for (let c = 0; c < k; c++) {
    const count = counts[c] as number;
    if (count === 0) continue;
    for (let j = 0; j < PATCH_DIM; j++) centroids[c * PATCH_DIM + j] = (sums[c * PATCH_DIM + j] as number) / count;
  }
}
