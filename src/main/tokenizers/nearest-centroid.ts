// Nearest centroid by squared Euclidean distance, computed as |c|² - 2 x·c (|x|² is the same for all c).

export function centroidNorms(centroids: Float32Array, k: number, dim: number): Float32Array {
  const norms = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (centroids[c * dim + j] as number) ** 2;
    norms[c] = s;
  }
  return norms;
}

export function nearestCentroid(
  x: Float32Array,
  at: number,
  centroids: Float32Array,
  norms: Float32Array,
  k: number,
  dim: number,
): number {
  let best = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const base = c * dim;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += (x[at + j] as number) * (centroids[base + j] as number);
    const score = (norms[c] as number) - 2 * dot;
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}
