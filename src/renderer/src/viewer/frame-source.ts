// Frames fetched from main on demand, with a small bounded cache and read-ahead so
// scrolling and cine do not wait on every frame. Main keeps its own, larger cache.
import type { NextmaskApi } from '../../../shared/ipc';
import type { FrameResult } from '../../../shared/viewer-types';

export class FrameSource {
  private readonly cache = new Map<string, Promise<FrameResult>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(
    private readonly api: NextmaskApi,
    private readonly maxBytes = 256 * 2 ** 20,
  ) {}

  get(seriesId: string, index: number): Promise<FrameResult> {
    const key = `${seriesId}/${index}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const loading = this.api.invoke('viewer:frame', { seriesId, index });
    this.cache.set(key, loading);
    loading.then(
      (result) => {
        const size = result.frame.stored.byteLength;
        this.sizes.set(key, size);
        this.bytes += size;
        this.evict();
      },
      () => this.cache.delete(key), // a failure is not cached: the next try asks again
    );
    return loading;
  }

  /** Starts loading the next frames in the scroll direction; errors surface when displayed. */
  prefetch(seriesId: string, from: number, count: number, total: number, step = 1): void {
    for (let k = 1; k <= count; k++) {
      const index = from + k * step;
      if (index < 0 || index >= total) break;
      this.get(seriesId, index).catch(() => {});
    }
  }

  private evict(): void {
    for (const key of this.cache.keys()) {
      if (this.bytes <= this.maxBytes) break;
      const size = this.sizes.get(key);
      if (size === undefined) continue; // still loading
      this.cache.delete(key);
      this.sizes.delete(key);
      this.bytes -= size;
    }
  }
}
