// The renderer's editing state for the selected series: its segments (a SegmentList), the
// active tool and brush size, the displayed frame, and the calls to main that load, save,
// export and import. The panel and the overlay both drive this one object.
import type { NextmaskApi } from '../../../shared/ipc';
import { stampDisc, stepBrushRadius, strokeSegment } from '../../../shared/labelmap/brush';
import type { ExportFormat } from '../../../shared/labelmap/channels';
import { floodFill, removeSmallIslands } from '../../../shared/labelmap/flood';
import { fillPolygon } from '../../../shared/labelmap/lasso';
import { clearMask, countSet, type Mask, type Point, type Rect } from '../../../shared/labelmap/mask';
import { fromPayload, toPayload } from '../../../shared/labelmap/payload';
import { type EditSession, type Segment, type SegmentInfo, SegmentList } from '../../../shared/labelmap/segments';

export type EditTool = 'none' | 'brush' | 'eraser' | 'lasso-fill' | 'lasso-erase' | 'fill';

interface EditRecord {
  segmentUid: string;
  action: string;
  frame?: number;
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
  radius = $state(6);
  minIsland = $state(20);
  busy = $state(false);
  dirty = $state(false);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  /** A mask being computed (the segmenter's streamed partial), drawn over `frame` scaled to the image. */
  preview = $state.raw<{ frame: number; mask: Mask } | null>(null);
  private edits: EditRecord[] = [];
  // The store's version of this series when loaded or last saved: a save over a newer one is refused.
  private storedVersion = 0;
  private stroke: { session: EditSession; last: Point; value: 0 | 1 } | null = null;

  constructor(private readonly api: NextmaskApi) {}

  private async run<T>(what: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await what();
    } catch (err) {
      this.error = messageOf(err);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  private changed(action: string, segmentUid: string, frame?: number): void {
    this.version++;
    this.dirty = true;
    this.edits.push(frame === undefined ? { segmentUid, action } : { segmentUid, action, frame });
  }

  /** Loads the saved segments of a series (or none) when the viewer shows another series. */
  async open(seriesId: string | null): Promise<void> {
    if (seriesId === this.seriesId) return;
    this.seriesId = seriesId;
    this.list = null;
    this.preview = null;
    this.frame = 0;
    this.edits = [];
    this.dirty = false;
    this.message = null;
    if (!seriesId) return;
    await this.run(async () => {
      const loaded = await this.api.invoke('masks:load', { seriesId });
      if (this.seriesId !== seriesId) return;
      const list = new SegmentList(loaded.width, loaded.height, loaded.frameCount);
      list.load(loaded.segments.map((p) => fromPayload(p, loaded)));
      this.list = list;
      this.storedVersion = loaded.version;
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
    if (segment) this.changed('add', segment.id);
  }

  remove(id: string): void {
    this.list?.remove(id);
    this.changed('delete', id);
  }

  select(id: string): void {
    if (this.list) this.list.selectedId = id;
    this.version++;
  }

  update(id: string, changes: Partial<Omit<SegmentInfo, 'id' | 'source'>>): void {
    this.list?.update(id, changes);
    this.changed('settings', id);
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

  beginStroke(point: Point): void {
    const segment = this.editable();
    if (!segment || !this.list) return;
    const value = this.tool === 'eraser' ? 0 : 1;
    const session = this.list.beginEdit(segment.id, this.frame);
    session.touch(stampDisc(session.mask, point, this.radius, value));
    this.stroke = { session, last: point, value };
    this.version++;
  }

  /** Continues the stroke to `point`; returns the pixels it touched (to redraw), or null. */
  strokeTo(point: Point): Rect | null {
    if (!this.stroke) return null;
    const { session, last, value } = this.stroke;
    const touched = strokeSegment(session.mask, last, point, this.radius, value);
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
    const label = this.list?.undo();
    if (label) {
      this.message = `Undid ${label}`;
      this.changed(`undo ${label}`, this.selected?.id ?? '-');
    }
  }

  redo(): void {
    const label = this.list?.redo();
    if (label) {
      this.message = `Redid ${label}`;
      this.changed(`redo ${label}`, this.selected?.id ?? '-');
    }
  }

  /** An AI result: a new segment (or the selected one replaced) in one undo step, its proposal kept. */
  async applyAiResult(
    masks: Mask[],
    meta: { prompt: string; algorithm: string },
    replaceSelected = false,
  ): Promise<void> {
    const { list, seriesId } = this;
    if (!list || !seriesId) return;
    const segment = list.applyAiResult(masks, meta, replaceSelected);
    this.changed('AI result', segment.id);
    await this.run(() =>
      this.api.invoke('masks:proposal', { seriesId, segmentUid: segment.id, ...meta, bits: toPayload(segment).bits }),
    );
  }

  async save(): Promise<boolean> {
    const { list, seriesId } = this;
    if (!list || !seriesId) return false;
    const edits = this.edits;
    const result = await this.run(() =>
      this.api.invoke('masks:save', {
        seriesId,
        version: this.storedVersion,
        segments: list.segments.map(toPayload),
        edits,
      }),
    );
    if (!result) return false;
    this.storedVersion = result.version;
    this.edits = [];
    this.dirty = false;
    this.message = `Saved ${list.segments.length} segment(s)`;
    return true;
  }

  /** Saves first (exports write what is saved), then exports. */
  async exportTo(format: ExportFormat, path: string, deidentify: boolean): Promise<void> {
    const { seriesId } = this;
    if (!seriesId || !(await this.save())) return;
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

  async importFrom(path: string): Promise<void> {
    const { list, seriesId } = this;
    if (!list || !seriesId) return;
    const payloads = await this.run(() => this.api.invoke('masks:import', { seriesId, path }));
    if (!payloads) return;
    const shape = { width: list.width, height: list.height, frameCount: list.frameCount };
    const added = list.addAll(
      payloads.map((p) => {
        const { masks, ...info } = fromPayload(p, shape);
        return { info, masks };
      }),
      `Import ${path.split(/[\\/]/).pop()}`,
    );
    for (const s of added) this.changed('import', s.id);
    this.message = `Imported ${added.length} segment(s)`;
  }

  /** Editing shortcuts; returns true when the key was ours. */
  keydown(event: KeyboardEvent): boolean {
    const ctrl = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (ctrl && key === 'z') {
      if (event.shiftKey) this.redo();
      else this.undo();
      return true;
    }
    if (ctrl && key === 'y') {
      this.redo();
      return true;
    }
    if (!ctrl && (event.key === '[' || event.key === ']')) {
      this.radius = stepBrushRadius(this.radius, event.key === ']' ? 1 : -1);
      return true;
    }
    return false;
  }
}
