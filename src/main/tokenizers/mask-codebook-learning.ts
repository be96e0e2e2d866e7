// Learning the mask codebook: k-means in Hamming space ("k-majority") over the distinct patches of
// the training masks, each weighted by how often it occurs. Deduplication makes this cheap: masks
// are smooth, so ~2M patches collapse to far fewer distinct ones, and flat patches are skipped
// because codes 0 and 1 cover them exactly.
import type { Mask } from '../imaging/resample';
import { hamming, packPatch, uniformValue, WORDS } from './binary-patches';
import { assertGridSized, GRID } from './grid';
import { FIRST_MIXED_CODE, MaskCodebook } from './mask-codebook';

/** Distinct non-flat patches and their counts. */
export class PatchCounts {
  private readonly counts = new Map<string, number>();
  private readonly scratch = new Uint32Array(WORDS);
  flat = 0;

  /** Counts every patch of a 256x256 mask `weight` times (a group can weigh more than its share of masks). */
  add(mask: Mask, weight = 1): void {
    assertGridSized(mask.width, mask.height, 'mask');
    for (let gy = 0; gy < GRID; gy++) {
      for (let gx = 0; gx < GRID; gx++) {
        packPatch(mask, gy, gx, this.scratch);
        if (uniformValue(this.scratch, 0) !== -1) {
          this.flat += weight;
          continue;
        }
        const key = this.scratch.join(',');
        this.counts.set(key, (this.counts.get(key) ?? 0) + weight);
      }
    }
  }

  get distinct(): number {
    return this.counts.size;
  }

  /** Patches sorted by count, most frequent first. */
  toArrays(): { bits: Uint32Array; weights: Float64Array } {
    const entries = [...this.counts.entries()].sort((a, b) => b[1] - a[1]);
    const bits = new Uint32Array(entries.length * WORDS);
    const weights = new Float64Array(entries.length);
    entries.forEach(([key, count], i) => {
      key.split(',').forEach((w, j) => {
        bits[i * WORDS + j] = Number(w);
      });
      weights[i] = count;
    });
    return { bits, weights };
  }
}

export interface LearnOptions {
  size: number;
  iterations: number;
  onIteration?: (iteration: number, meanErrorBits: number) => void;
}

/**
 * Codes 0/1 are fixed (all-background, all-foreground); the rest start as the most frequent patches
 * and move by weighted per-bit majority. An emptied code is re-seeded with the worst-served patch.
 */
export function learnMaskCodebook(
  patches: { bits: Uint32Array; weights: Float64Array },
  options: LearnOptions,
): MaskCodebook {
  const { bits, weights } = patches;
  const n = weights.length;
  const k = options.size;
  const codes = new Uint32Array(k * WORDS);
  codes.fill(0xffffffff, WORDS, 2 * WORDS);
  for (let c = FIRST_MIXED_CODE; c < k; c++) {
    const src = (c - FIRST_MIXED_CODE) % Math.max(n, 1);
    if (n > 0) codes.set(bits.subarray(src * WORDS, (src + 1) * WORDS), c * WORDS);
  }
  const assignment = new Int32Array(n);
  const distance = new Int32Array(n);
  const ones = new Float64Array(k * 256);
  const mass = new Float64Array(k);
  const vote = new Uint32Array(WORDS);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    let error = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      let best = FIRST_MIXED_CODE;
      let bestDistance = 257;
      // Mixed patches only: as in MaskCodebook.nearest, they never take a flat code.
      for (let c = FIRST_MIXED_CODE; c < k; c++) {
        const d = hamming(bits, i * WORDS, codes, c * WORDS);
        if (d < bestDistance) {
          bestDistance = d;
          best = c;
          if (d === 0) break;
        }
      }
      assignment[i] = best;
      distance[i] = bestDistance;
      error += bestDistance * (weights[i] as number);
      total += weights[i] as number;
    }
    options.onIteration?.(iteration, total > 0 ? error / total : 0);
    ones.fill(0);
    mass.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i] as number;
      const w = weights[i] as number;
      mass[c] = (mass[c] as number) + w;
      for (let b = 0; b < 256; b++) {
        if (((bits[i * WORDS + (b >> 5)] as number) >>> (b & 31)) & 1)
          ones[c * 256 + b] = (ones[c * 256 + b] as number) + w;
      }
    }
    const used = new Set<number>();
    for (let c = FIRST_MIXED_CODE; c < k; c++) {
      if ((mass[c] as number) === 0) {
        const worst = worstServed(distance, weights, used);
        if (worst >= 0) {
          codes.set(bits.subarray(worst * WORDS, (worst + 1) * WORDS), c * WORDS);
          used.add(worst);
        }
        continue;
      }
      for (let w = 0; w < WORDS; w++) {
        let word = 0;
        for (let b = 0; b < 32; b++)
          if (2 * (ones[c * 256 + w * 32 + b] as number) > (mass[c] as number)) word |= 1 << b;
        vote[w] = word >>> 0;
      }
      // A vote that comes out flat (a cluster of faint corners) would make mixed patches decode flat:
      // the code keeps its previous, mixed pattern instead.
      if (uniformValue(vote, 0) === -1) codes.set(vote, c * WORDS);
    }
  }
  // A vote can make a code a copy of another; harmless, since `nearest` keeps the first it finds.
  return new MaskCodebook(codes);
}

function worstServed(distance: Int32Array, weights: Float64Array, used: Set<number>): number {
  let worst = -1;
  let worstCost = 0;
  for (let i = 0; i < distance.length; i++) {
    const cost = (distance[i] as number) * (weights[i] as number);
    if (cost > worstCost && !used.has(i)) {
      worstCost = cost;
      worst = i;
    }
  }
  return worst;
}
