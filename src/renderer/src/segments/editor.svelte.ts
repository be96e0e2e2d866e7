// The renderer's editing state for the selected series: its segments (a SegmentList), the
// active tool and brush size, the displayed frame, and the calls to main that load, export and
// import. Every committed change (a stroke, an AI answer, a setting) is saved at once as one
// step in the workspace store: nothing waits for a Save button. The panel and the overlay
// both drive this one object.
import type { NextmaskApi } from '../../../shared/ipc';
import { stampDisc, stepBrushRadius, strokeSegment } from '../../../shared/labelmap/brush';
import type { EditRecord, ExportFormat } from '../../../shared/labelmap/channels';
import { floodFill, removeSmallIslands } from '../../../shared/labelmap/flood';
import { fillPolygon } from '../../../shared/labelmap/lasso';
import { clearMask, countSet, type Mask, type Point, type Rect } from '../../../shared/labelmap/mask';
import { fromPayload, toChangePayload, toPayload } from '../../../shared/labelmap/payload';
import {
  type AiResultMeta,
  type EditSession,
  type Segment,
  type SegmentInfo,
  SegmentList,
} from '../../../shared/labelmap/segments';
import { duplicateIndices } from './import-duplicates';

/** 'box' and 'click' point at the image for the model (prompt/segment-runner.svelte.ts), not edit pixels. */
export type EditTool = 'none' | 'brush' | 'eraser' | 'lasso-fill' | 'lasso-erase' | 'fill' | 'box' | 'click';

/** What a segment has waiting to be saved: its settings and these frames, or all of it. */
type Pending = Set<number> | 'all';

function merge(a: Pending | undefined, b: Pending): Pending {
  if (a === undefined) return b;
  return a === 'all' || b === 'all' ? 'all' : new Set([...a, ...b]);
}

/**
 * What a series keeps while the window is open: its segments with their undo history and selection,
 * the store version they match, and what its path boxes hold.
 */
interface SeriesSession {
  list: SegmentList;
  storedVersion: number;
  exportPath: string;
  importPath: string;
}

/** An imported file's segments waiting for a choice, because some are here already. */
interface WaitingImport {
  path: string;
  segments: Segment[];
  /** Indices into `segments` of those already here. */
  duplicates: number[];
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class SegmentEditor {
  list = $state.raw<SegmentList | null>(null);
  /** Bumped on every change to the segments, so views re-read the (non-reactive) list. */
  version = $state(0);
  seriesId = $state<string | null>(null);
  frame = $state(0);
  tool = $state<EditTool>('none');
  /**
   * The brush and eraser radius in screen pixels, so a brush feels the same on a 200-px and a 3000-px
   * image and at any zoom; the overlay turns it into image pixels through the zoom when it paints.
   */
  radius = $state(10);
  minIsland = $state(20);
  busy = $state(false);
  /** The autosave: 'saved' once the store holds every change, 'failed' (with saveError) until a retry works. */
  saveState = $state<'saved' | 'saving' | 'failed'>('saved');
  saveError = $state<string | null>(null);
  message = $state<string | null>(null);
  /** The default export folder (from main). */
  exportDir = $state('');
  /** The panel's path boxes, kept per series: export starts at the series' own file name, import empty. */
  exportPath = $state('');
  importPath = $state('');
  /** An import of which some segments are already here: `resolveImport` says what to do with them. */
  duplicate = $state.raw<WaitingImport | null>(null);
  error = $state<string | null>(null);
  /** A mask being computed (the segmenter's streamed partial), drawn over `frame` scaled to the image. */
  preview = $state.raw<{ frame: number; mask: Mask } | null>(null);
  /** The last answer's per-pixel doubt on `frame` (the model's grid, 0..255), drawn scaled to the image when shown. */
  uncertainty = $state.raw<{ frame: number; map: { width: number; height: number; data: Uint8Array } } | null>(null);
  showUncertainty = $state(false);
  private edits: EditRecord[] = [];
  // The store's version of this series when loaded or last committed: a commit over a newer one is refused.
  private storedVersion = 0;
  private pending = new Map<string, Pending>();
  private committing: Promise<void> | null = null;
  private opening: { seriesId: string | null; done: Promise<void> } | null = null;
  private stroke: { session: EditSession; last: Point; value: 0 | 1; radius: number } | null = null;
  private readonly sessions = new Map<string, SeriesSession>();

  constructor(private readonly api: NextmaskApi) {}

  /** One call to main: its error replaces the last message, so an old "Exported …" never sits beside a failure. */
  private async run<T>(what: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    this.message = null;
    try {
      return await what();
    } catch (err) {
      this.error = messageOf(err);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Records one committed change and saves it: `what` is the frame it changed, 'all' of the
   * segment, 'settings' only, or 'gone' (deleted).
   */
  private changed(action: string, segmentUid: string, what: number | 'all' | 'settings' | 'gone'): void {
    this.version++;
    this.edits.push(typeof what === 'number' ? { segmentUid, action, frame: what } : { segmentUid, action });
    if (what === 'gone') this.pending.delete(segmentUid);
    else
      this.pending.set(
        segmentUid,
        merge(
          this.pending.get(segmentUid),
          typeof what === 'number' ? new Set([what]) : what === 'all' ? 'all' : new Set(),
        ),
      );
    this.saveState = 'saving';
    void this.save();
  }

  /**
   * Starts the commits unless they run. The first starts once the current task is done, so that
   * changes recorded together (an import's segments, an undone group) travel together: a commit's
   * order may only name segments it carries or the store holds.
   */
  private save(): Promise<void> {
    this.committing ??= Promise.resolve()
      .then(() => this.drain())
      .finally(() => {
        this.committing = null;
      });
    return this.committing;
  }

  /** Sends the waiting changes, one commit at a time; changes made meanwhile go in the next. */
  private async drain(): Promise<void> {
    while (this.edits.length > 0) {
      const { list, seriesId } = this;
      if (!list || !seriesId) break;
      const pending = this.pending;
      const edits = this.edits;
      this.pending = new Map();
      this.edits = [];
      const changed = [...pending].flatMap(([id, what]) => {
        const segment = list.segments.find((s) => s.id === id);
        return segment ? [toChangePayload(segment, what === 'all' ? undefined : [...what])] : [];
      });
      try {
        const result = await this.api.invoke('masks:commit', {
          seriesId,
          version: this.storedVersion,
          order: list.segments.map((s) => s.id),
          changed,
          edits,
        });
        this.storedVersion = result.version;
      } catch (err) {
        // Keep what failed, ahead of anything newer, for the next try.
        for (const [id, what] of this.pending) pending.set(id, merge(pending.get(id), what));
        this.pending = pending;
        this.edits = [...edits, ...this.edits];
        this.saveState = 'failed';
        this.saveError = messageOf(err);
        return;
      }
    }
    this.saveState = 'saved';
    this.saveError = null;
  }

  /** Tries again to save what a failed commit left waiting. */
  retrySave(): Promise<void> {
    this.saveState = 'saving';
    return this.save();
  }

  /** Resolves once every change so far is in the store; false when saving failed. */
  async flush(): Promise<boolean> {
    while (this.committing) await this.committing;
    return this.saveState !== 'failed';
  }

  /** Loads the saved segments of a series (or none) when the viewer shows another series. */
  open(seriesId: string | null): Promise<void> {
    // Asked again while opening it (the viewer and a SEG opened by path both ask): the same load.
    if (this.opening?.seriesId === seriesId) return this.opening.done;
    if (!this.opening && seriesId === this.seriesId) return Promise.resolve();
    const done = this.switchTo(seriesId).finally(() => {
      if (this.opening?.done === done) this.opening = null;
    });
    this.opening = { seriesId, done };
    return done;
  }

  private async switchTo(seriesId: string | null): Promise<void> {
    // The series being left keeps every change: its last commits finish first.
    const left = this.seriesId;
    const saved = await this.flush();
    if (!saved) this.error = `changes to the previous series could not be saved: ${this.saveError ?? 'unknown error'}`;
    // Its history and selection wait for its return, unless its last changes are not in the store.
    if (left && this.list && saved)
      this.sessions.set(left, {
        list: this.list,
        storedVersion: this.storedVersion,
        exportPath: this.exportPath,
        importPath: this.importPath,
      });
    else if (left) this.sessions.delete(left);
    this.seriesId = seriesId;
    this.list = null;
    this.preview = null;
    this.uncertainty = null;
    this.frame = 0;
    this.edits = [];
    this.pending = new Map();
    this.saveState = 'saved';
    this.saveError = null;
    this.message = null;
    this.duplicate = null;
    this.exportPath = '';
    this.importPath = '';
    if (!seriesId) return;
    await this.run(async () => {
      const loaded = await this.api.invoke('masks:load', { seriesId });
      if (this.seriesId !== seriesId) return;
      // The kept session is still what the store holds unless someone else saved this series meanwhile.
      const kept = this.sessions.get(seriesId);
      const current = kept?.storedVersion === loaded.version ? kept : undefined;
      let list = current?.list;
      if (!list) {
        list = new SegmentList(loaded.width, loaded.height, loaded.frameCount);
        list.load(loaded.segments.map((p) => fromPayload(p, loaded)));
      }
      this.list = list;
      this.storedVersion = loaded.version;
      this.exportDir = loaded.exportDir;
      this.exportPath = current?.exportPath ?? loaded.exportName;
      this.importPath = current?.importPath ?? '';
      this.version++;
    });
  }

  get selected(): Segment | null {
    void this.version;
    return this.list?.selected ?? null;
  }

  pixelCount(segment: Segment): number {
    void this.version;
    return segment.masks.reduce((n, m) => n + countSet(m), 0);
  }

  addSegment(): void {
    const segment = this.list?.add();
    if (segment) this.changed('add', segment.id, 'all');
  }

  remove(id: string): void {
    this.list?.remove(id);
    this.changed('delete', id, 'gone');
  }

  select(id: string): void {
    if (this.list) this.list.selectedId = id;
    this.version++;
  }

  update(id: string, changes: Partial<Omit<SegmentInfo, 'id' | 'source'>>): void {
    this.list?.update(id, changes);
    this.changed('settings', id, 'settings');
  }

  private editable(): Segment | null {
    const segment = this.selected;
    if (!segment) {
      this.error = 'add or select a segment first';
      return null;
    }
    if (segment.locked) {
      this.error = `segment "${segment.name}" is locked`;
      return null;
    }
    this.error = null;
    return segment;
  }

  /** Runs one whole-frame tool on the selected segment's displayed frame as one undo step. */
  private apply(action: string, tool: (mask: Mask) => ReturnType<typeof clearMask>): void {
    const segment = this.editable();
    if (!segment || !this.list) return;
    if (this.list.edit(segment.id, this.frame, action, tool)) this.changed(action, segment.id, this.frame);
  }

  /** Starts a brush or eraser stroke at `point` with a tip of `radius` image pixels (kept for the whole stroke). */
  beginStroke(point: Point, radius: number): void {
    const segment = this.editable();
    if (!segment || !this.list) return;
    const value = this.tool === 'eraser' ? 0 : 1;
    const session = this.list.beginEdit(segment.id, this.frame);
    session.touch(stampDisc(session.mask, point, radius, value));
    this.stroke = { session, last: point, value, radius };
    this.version++;
  }

  /** Continues the stroke to `point`; returns the pixels it touched (to redraw), or null. */
  strokeTo(point: Point): Rect | null {
    if (!this.stroke) return null;
    const { session, last, value, radius } = this.stroke;
    const touched = strokeSegment(session.mask, last, point, radius, value);
    session.touch(touched);
    this.stroke.last = point;
    return touched;
  }

  endStroke(): void {
    if (!this.stroke) return;
    const action = this.stroke.value ? 'Brush' : 'Eraser';
    const segment = this.selected;
    if (this.stroke.session.commit(action) && segment) this.changed(action, segment.id, this.frame);
    this.stroke = null;
    this.version++;
  }

  lasso(points: Point[], erase: boolean): void {
    this.apply(erase ? 'Lasso erase' : 'Lasso fill', (m) => fillPolygon(m, points, erase ? 0 : 1));
  }

  fill(point: Point): void {
    this.apply('Fill', (m) => floodFill(m, Math.floor(point.x), Math.floor(point.y), 1));
  }

  removeIslands(): void {
    this.apply('Remove islands', (m) => {
      removeSmallIslands(m, this.minIsland);
      return { x0: 0, y0: 0, x1: m.width - 1, y1: m.height - 1 };
    });
  }

  clear(): void {
    this.apply('Clear', clearMask);
  }

  undo(): void {
    this.step('undo');
  }

  redo(): void {
    this.step('redo');
  }

  private step(direction: 'undo' | 'redo'): void {
    const list = this.list;
    const label = direction === 'undo' ? list?.undo() : list?.redo();
    if (!list || !label) return;
    this.message = `${direction === 'undo' ? 'Undid' : 'Redid'} ${label}`;
    for (const t of list.lastTouched) {
      const present = list.segments.some((s) => s.id === t.segmentId);
      this.changed(`${direction} ${label}`, t.segmentId, !present ? 'gone' : (t.frame ?? 'all'));
    }
  }

  /** An AI result: a new segment (or segment `replaceId`'s masks replaced) in one undo step, its proposal kept. */
  async applyAiResult(masks: Mask[], meta: AiResultMeta, replaceId?: string): Promise<void> {
    const { list, seriesId } = this;
    if (!list || !seriesId) return;
    if (replaceId !== undefined) list.selectedId = replaceId;
    const segment = list.applyAiResult(masks, meta, replaceId !== undefined);
    this.changed('AI result', segment.id, 'all');
    const { prompt, algorithm } = meta;
    await this.run(() =>
      this.api.invoke('masks:proposal', {
        seriesId,
        segmentUid: segment.id,
        prompt,
        algorithm,
        bits: toPayload(segment).bits,
      }),
    );
  }

  /** Exports what the store holds, once the last changes are in it. */
  async exportTo(format: ExportFormat, path: string, deidentify: boolean): Promise<void> {
    const { seriesId } = this;
    if (!seriesId) return;
    if (!(await this.flush())) {
      this.error = `not exported: the last changes are not saved (${this.saveError})`;
      return;
    }
    const result = await this.run(() =>
      this.api.invoke('masks:export', {
        seriesId,
        format,
        path,
        ...(format === 'seg' ? { deidentify } : {}),
        ...(format === 'png' ? { frame: this.frame, ...(this.selected ? { segmentId: this.selected.id } : {}) } : {}),
      }),
    );
    if (result) this.message = `Exported ${result.path}${result.deidentified ? ' (de-identified)' : ''}`;
  }

  /**
   * Imports a mask file as one undo step. When some of its segments are here already (the same SEG
   * again, or a file exported from these segments) nothing is added until `resolveImport` says what to do.
   */
  async importFrom(path: string): Promise<void> {
    const { list, seriesId } = this;
    if (!list || !seriesId) return;
    this.duplicate = null;
    const payloads = await this.run(() => this.api.invoke('masks:import', { seriesId, path }));
    if (!payloads || this.list !== list) return;
    const segments = payloads.map((p) => fromPayload(p, list));
    const duplicates = duplicateIndices(segments, list.segments);
    if (duplicates.length > 0) this.duplicate = { path, segments, duplicates };
    else this.addImported(path, segments);
  }

  /** The choice for a waiting import: every segment, only those not here yet, or none. */
  resolveImport(choice: 'all' | 'new' | 'none'): void {
    const waiting = this.duplicate;
    this.duplicate = null;
    if (!waiting || choice === 'none') return;
    const segments =
      choice === 'all' ? waiting.segments : waiting.segments.filter((_, i) => !waiting.duplicates.includes(i));
    if (segments.length === 0) this.message = 'Nothing imported: every segment of the file is here already';
    else this.addImported(waiting.path, segments);
  }

  private addImported(path: string, segments: Segment[]): void {
    const list = this.list;
    if (!list) return;
    const added = list.addAll(
      segments.map(({ masks, ...info }) => ({ info, masks })),
      `Import ${path.split(/[\\/]/).pop()}`,
    );
    for (const s of added) this.changed('import', s.id, 'all');
    this.message = `Imported ${added.length} segment(s)`;
  }

  /** The desktop app's save or open dialog; null when cancelled or failed (the error is shown). */
  async choosePath(mode: 'save' | 'open', defaultPath: string): Promise<string | null> {
    return (await this.run(() => this.api.invoke('masks:choose-path', { mode, defaultPath }))) ?? null;
  }

  /** One step smaller (-1) or larger (+1) brush, about 10 % each. */
  stepRadius(direction: 1 | -1): void {
    this.radius = stepBrushRadius(this.radius, direction);
  }
}
