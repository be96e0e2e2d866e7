// Keys and values of every layer for a batch of rows in preallocated buffers, position-major
// ([position][row][width]), so the first `length` positions of all rows are one contiguous prefix: the
// decode-step graph gets them as zero-copy views (ORT does not copy inputs) and returns only the new
// positions, which are written after each row's own length. Rows grow at their own pace (each accepts
// its own share of a speculative draft); a row's positions past its length are stale and masked out.
// Rolling back rejected draft tokens is just a shorter length.

export class KvCache {
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
  private readonly used: Int32Array;

  constructor(
    readonly layers: number,
    /** Floats per position, row and layer (heads × head size). */
    readonly width: number,
    readonly capacity: number,
    readonly rows = 1,
  ) {
    this.keys = Array.from({ length: layers }, () => new Float32Array(capacity * rows * width));
    this.values = Array.from({ length: layers }, () => new Float32Array(capacity * rows * width));
    this.used = new Int32Array(rows);
  }

  /** The longest row's length: the prefix every row is fed, masked past its own length. */
  get length(): number {
    return Math.max(...this.used);
  }

  lengthOf(row: number): number {
    return this.used[this.checkRow(row)] as number;
  }

  /** Views of the cached prefix of layer `layer`, [length, rows, width] (no copy). */
  prefix(layer: number): { keys: Float32Array; values: Float32Array } {
    const end = this.length * this.rows * this.width;
    return {
      keys: (this.keys[layer] as Float32Array).subarray(0, end),
      values: (this.values[layer] as Float32Array).subarray(0, end),
    };
  }

  /**
   * Appends `positions` new positions to `row`, per layer from `newKeys[l]` / `newValues[l]`
   * ([positions][width] from `offset` floats on: a row of a batched output).
   */
  append(
    positions: number,
    newKeys: readonly Float32Array[],
    newValues: readonly Float32Array[],
    row = 0,
    offset = 0,
  ): void {
    if (newKeys.length !== this.layers || newValues.length !== this.layers) {
      throw new Error(`expected ${this.layers} layers of keys and values`);
    }
    const at = this.lengthOf(row);
    if (at + positions > this.capacity) {
      throw new Error(`KV cache full: ${at} + ${positions} > ${this.capacity} positions`);
    }
    const { width, rows } = this;
    for (let l = 0; l < this.layers; l++) {
      const k = newKeys[l] as Float32Array;
      const v = newValues[l] as Float32Array;
      if (k.length < offset + positions * width || v.length < offset + positions * width)
        throw new Error(`layer ${l}: fewer than ${positions} positions given`);
      const keys = this.keys[l] as Float32Array;
      const values = this.values[l] as Float32Array;
      for (let p = 0; p < positions; p++) {
        const from = offset + p * width;
        const to = ((at + p) * rows + row) * width;
        keys.set(k.subarray(from, from + width), to);
        values.set(v.subarray(from, from + width), to);
      }
    }
    this.used[row] = at + positions;
  }

  truncate(length: number, row = 0): void {
    const used = this.lengthOf(row);
    if (!Number.isInteger(length) || length < 0 || length > used) {
      throw new Error(`cannot truncate a cache of ${used} positions to ${length}`);
    }
    this.used[row] = length;
  }

  private checkRow(row: number): number {
    if (!Number.isInteger(row) || row < 0 || row >= this.rows) throw new Error(`no row ${row} in ${this.rows}`);
    return row;
  }
}
