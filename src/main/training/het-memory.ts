// HET's memory, kept in JS between epochs: per sample, the wrong tokens head 1 predicted (teacher
// forced) in the previous epoch, ranked by how far they are from the target: the number of pixels
// the wrong mask patch gets wrong (Hamming distance of the codewords; EOS against a patch counts as
// all 256). The top H enter the next epoch's train step as (position, wrong token, weight) inputs.
import { hamming, WORDS } from '../tokenizers/binary-patches';
import type { MaskCodebook } from '../tokenizers/mask-codebook';

export interface HardError {
  position: number;
  wrong: number;
  deviation: number;
}

export class HetMemory {
  private readonly errors = new Map<string, HardError[]>();

  constructor(
    readonly top: number,
    private readonly codebook: MaskCodebook,
  ) {}

  private deviation(a: number, b: number): number {
    const k = this.codebook.size;
    if (a >= k || b >= k) return 256;
    return hamming(this.codebook.bits, a * WORDS, this.codebook.bits, b * WORDS);
  }

  /** Replaces a sample's memory with the top H errors of `predicted` against `targets`. */
  record(sample: string, predicted: ArrayLike<number>, targets: ArrayLike<number>): void {
    const found: HardError[] = [];
    for (let p = 0; p < targets.length; p++) {
      const wrong = predicted[p] as number;
      const target = targets[p] as number;
      if (wrong !== target) found.push({ position: p, wrong, deviation: this.deviation(wrong, target) });
    }
    found.sort((x, y) => y.deviation - x.deviation || x.position - y.position);
    this.errors.set(sample, found.slice(0, this.top));
  }

  /** Writes a sample's memory into row `row` of the batch inputs (unused slots weigh 0). */
  fill(sample: string, row: number, out: { positions: BigInt64Array; wrong: BigInt64Array; weights: Float32Array }) {
    const list = this.errors.get(sample) ?? [];
    for (let i = 0; i < this.top; i++) {
      const e = list[i];
      out.positions[row * this.top + i] = BigInt(e?.position ?? 0);
      out.wrong[row * this.top + i] = BigInt(e?.wrong ?? 0);
      out.weights[row * this.top + i] = e ? 1 : 0;
    }
  }

  get size(): number {
    return this.errors.size;
  }

  toJSON(): Record<string, HardError[]> {
    return Object.fromEntries(this.errors);
  }

  load(json: Record<string, HardError[]>): void {
    for (const [k, v] of Object.entries(json)) this.errors.set(k, v.slice(0, this.top));
  }
}
