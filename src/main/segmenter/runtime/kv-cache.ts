// Keys and values of every layer in preallocated buffers, [position][width] row-major, so
// the first `length` positions are one contiguous prefix: the decode-step graph gets them
// as zero-copy views (ORT does not copy inputs) and returns only the new positions, which
// are appended here. Rolling back rejected draft tokens is just a shorter length.

export class KvCache {
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
  private used = 0;

  constructor(
    readonly layers: number,
    /** Floats per position and layer (heads × head size). */
    readonly width: number,
    readonly capacity: number,
  ) {
    this.keys = Array.from({ length: layers }, () => new Float32Array(capacity * width));
    this.values = Array.from({ length: layers }, () => new Float32Array(capacity * width));
  }

  get length(): number {
    return this.used;
  }

  /** Views of the cached prefix of layer `layer` (no copy). */
  prefix(layer: number): { keys: Float32Array; values: Float32Array } {
    const end = this.used * this.width;
    return {
      keys: (this.keys[layer] as Float32Array).subarray(0, end),
      values: (this.values[layer] as Float32Array).subarray(0, end),
    };
  }

  /** Appends `positions` new positions per layer (each array is positions × width floats). */
  append(positions: number, newKeys: readonly Float32Array[], newValues: readonly Float32Array[]): void {
    if (newKeys.length !== this.layers || newValues.length !== this.layers) {
      throw new Error(`expected ${this.layers} layers of keys and values`);
    }
    if (this.used + positions > this.capacity) {
      throw new Error(`KV cache full: ${this.used} + ${positions} > ${this.capacity} positions`);
    }
    const offset = this.used * this.width;
    const count = positions * this.width;
    for (let l = 0; l < this.layers; l++) {
      const k = newKeys[l] as Float32Array;
      const v = newValues[l] as Float32Array;
      if (k.length < count || v.length < count) throw new Error(`layer ${l}: fewer than ${positions} positions given`);
      (this.keys[l] as Float32Array).set(k.subarray(0, count), offset);
      (this.values[l] as Float32Array).set(v.subarray(0, count), offset);
    }
    this.used += positions;
  }

  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.used) {
      throw new Error(`cannot truncate a cache of ${this.used} positions to ${length}`);
    }
    this.used = length;
  }

  reset(): void {
    this.used = 0;
  }
}
