// What is open in the viewer: the series this window opened (main's library may hold more, from
// before a reload), the per-file errors of the last open and the selected series, and the store's recent
// studies for an empty window. App owns one; the series browser and the viewer read it.
import type { NextmaskApi } from '../../../shared/ipc';
import type { RecentStudy } from '../../../shared/labelmap/channels';
import type { FileError, OpenResult, SeriesSummary } from '../../../shared/viewer-types';

export class ImageSession {
  series = $state<SeriesSummary[]>([]);
  /** The path each series was opened from here, when one path was opened (the path box shows it). */
  openedFrom = $state<Record<string, string>>({});
  /** Studies of the workspace store, last saved first, offered while nothing is open. */
  recent = $state<RecentStudy[]>([]);
  errors = $state<FileError[]>([]);
  selectedId = $state<string | null>(null);
  busy = $state(false);
  /** Why the last open failed as a whole (a per-file problem goes to `errors`). */
  failure = $state<string | null>(null);

  private readonly shown = new Set<string>();

  constructor(private readonly api: NextmaskApi) {}

  get selected(): SeriesSummary | null {
    return this.series.find((s) => s.id === this.selectedId) ?? null;
  }

  /** Opens paths and shows their series (`seriesUid` picks one of them, e.g. a recent study's). */
  open(paths: string[], seriesUid?: string): Promise<void> {
    return this.run(() => this.api.invoke('viewer:open', { paths }), paths, seriesUid);
  }

  /** Asks the store for its recent studies (none when it has none, or cannot be read). */
  async loadRecent(): Promise<void> {
    try {
      this.recent = await this.api.invoke('masks:recent', {});
    } catch {
      this.recent = [];
    }
  }

  openRecent(study: RecentStudy): Promise<void> {
    return this.open([study.openPath], study.seriesUid);
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

  /** Takes the series list main returned elsewhere (e.g. after opening a SEG's folder) with `ids` shown too; selection stays. */
  setSeries(series: SeriesSummary[], ids: readonly string[]): void {
    for (const id of ids) this.shown.add(id);
    this.series = series.filter((s) => this.shown.has(s.id));
  }

  private async run(call: () => Promise<OpenResult | null>, paths: string[] = [], seriesUid?: string): Promise<void> {
    this.busy = true;
    this.failure = null;
    try {
      const result = await call();
      if (!result) return;
      this.setSeries(result.series, result.opened);
      this.errors = result.errors;
      const [path] = paths;
      if (path && paths.length === 1) for (const id of result.opened) this.openedFrom[id] = path;
      // Show what was asked for: the series named, else the first image series the paths hold, else a
      // SEG opened on its own (it is drawn over its series); keep the selection when they hold none.
      const opened = this.series.filter((s) => result.opened.includes(s.id));
      const wanted =
        opened.find((s) => s.frameCount > 0 && seriesUid !== undefined && s.seriesInstanceUid === seriesUid) ??
        opened.find((s) => s.frameCount > 0) ??
        opened.find((s) => s.kind === 'SEG');
      if (wanted) this.selectedId = wanted.id;
    } catch (err) {
      this.failure = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }
}
