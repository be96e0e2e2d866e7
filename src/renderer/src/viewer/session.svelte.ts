// What is open in the viewer: the series list from main, this session's per-file errors and
// the selected series. App owns one; the series browser and the viewer read it.
import type { NextmaskApi } from '../../../shared/ipc';
import type { FileError, OpenResult, SeriesSummary } from '../../../shared/viewer-types';

export class ImageSession {
  series = $state<SeriesSummary[]>([]);
  errors = $state<FileError[]>([]);
  selectedId = $state<string | null>(null);
  busy = $state(false);
  /** Why the last open failed as a whole (a per-file problem goes to `errors`). */
  failure = $state<string | null>(null);

  constructor(private readonly api: NextmaskApi) {}

  get selected(): SeriesSummary | null {
    return this.series.find((s) => s.id === this.selectedId) ?? null;
  }

  open(paths: string[]): Promise<void> {
    return this.run(() => this.api.invoke('viewer:open', { paths }));
  }

  choose(): Promise<void> {
    return this.run(() => this.api.invoke('viewer:choose', {}));
  }

  /** Takes what main already opened elsewhere (a PACS retrieve) as if it were opened here. */
  adopt(result: OpenResult): Promise<void> {
    return this.run(async () => result);
  }

  select(id: string): void {
    this.selectedId = id;
  }

  /** Takes the series list main returned elsewhere (e.g. after opening a SEG's folder); selection stays. */
  setSeries(series: SeriesSummary[]): void {
    this.series = series;
  }

  private async run(call: () => Promise<OpenResult | null>): Promise<void> {
    this.busy = true;
    this.failure = null;
    try {
      const result = await call();
      if (!result) return;
      const before = new Set(this.series.map((s) => s.id));
      this.series = result.series;
      this.errors = result.errors;
      // Show the first newly opened image series, else a SEG opened on its own (it is drawn over
      // its series); keep the selection when nothing new came.
      const added = result.series.filter((s) => !before.has(s.id));
      const fresh = added.find((s) => s.frameCount > 0) ?? added.find((s) => s.kind === 'SEG');
      if (fresh) this.selectedId = fresh.id;
    } catch (err) {
      this.failure = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }
}
