// The segments of one image or series and every undoable change to them. Pure state (no
// DOM), so the renderer's panel and overlay drive it and Node tests check it.
import type { PointedBox, PointedClick } from '../segment-types';
import type { SegmentCoding } from './coding';
import { History, type HistoryLimits } from './history';
import { cloneMask, createMask, type Mask, type Rect } from './mask';
import { applyPatch, makePatch, type Patch } from './patch';

export type Rgb = [number, number, number];

export interface SegmentInfo {
  id: string;
  name: string;
  color: Rgb;
  visible: boolean;
  locked: boolean;
  /** 0..1 */
  opacity: number;
  /** Draw only the boundary instead of a filled overlay. */
  outline: boolean;
  /** 'ai' when a model made it (its algorithm and prompt are kept); 'manual' otherwise. */
  source: 'manual' | 'ai';
  algorithm?: string;
  prompt?: string;
  /** What the segment shows, as SNOMED CT codes (see coding.ts); absent: not coded, written as "Tissue". */
  coding?: SegmentCoding;
  /** Where the clinician pointed for an AI segment's answer (its box and clicks), when they did. */
  pointing?: Pointing;
  /** True once an AI segment's mask was changed by hand since the model's answer (the SEG's SEMIAUTOMATIC). */
  edited?: boolean;
  /** How sure the model was of an AI segment's answer, 0..1, when it says (SegmentResult.confidence). */
  confidence?: number;
  /** The AI answer was labelled low confidence (SegmentResult.lowConfidence): its row says so. */
  lowConfidence?: boolean;
}

/** A box and clicks on one frame (source pixels: box edges; a click's pixel centre is x + 0.5). */
export interface Pointing {
  frame: number;
  box?: PointedBox;
  clicks: PointedClick[];
}

/** The longest segment name kept: an AI segment is named by its whole prompt up to this. */
export const MAX_SEGMENT_NAME = 200;

/** How a new segment starts: shown, editable, half-opaque, filled, drawn by hand. */
export const NEW_SEGMENT_DEFAULTS = {
  visible: true,
  locked: false,
  opacity: 0.5,
  outline: false,
  source: 'manual',
} as const satisfies Partial<SegmentInfo>;

/** What an AI result records with its masks: its prompt and algorithm, and what the answer said of itself. */
export type AiResultMeta = { prompt: string; algorithm: string } & Partial<
  Pick<SegmentInfo, 'name' | 'coding' | 'pointing' | 'confidence' | 'lowConfidence'>
>;

export interface Segment extends SegmentInfo {
  /** One mask per frame of the image or series. */
  masks: Mask[];
}

type Entry =
  | { kind: 'pixels'; label: string; segmentId: string; frame: number; patch: Patch; wasEdited: boolean }
  | { kind: 'add'; label: string; segment: Segment; index: number }
  | { kind: 'remove'; label: string; segment: Segment; index: number }
  | { kind: 'replace'; label: string; segmentId: string; before: ResultState; after: ResultState }
  | { kind: 'group'; label: string; entries: Entry[] };

/** What an AI result replaces in an existing segment (display settings stay). */
type ResultState = Pick<
  Segment,
  'masks' | 'source' | 'prompt' | 'algorithm' | 'coding' | 'pointing' | 'edited' | 'confidence' | 'lowConfidence'
>;

function resultState(s: Segment): ResultState {
  const { masks, source, prompt, algorithm, coding, pointing, edited, confidence, lowConfidence } = s;
  return { masks, source, prompt, algorithm, coding, pointing, edited, confidence, lowConfidence };
}

function segmentBytes(s: Pick<Segment, 'masks'>): number {
  return s.masks.reduce((n, m) => n + m.data.byteLength, 0);
}

function entryBytes(e: Entry): number {
  switch (e.kind) {
    case 'pixels':
      return e.patch.before.byteLength * 2;
    case 'add':
    case 'remove':
      return segmentBytes(e.segment);
    case 'replace':
      return segmentBytes(e.before) + segmentBytes(e.after);
    case 'group':
      return e.entries.reduce((n, x) => n + entryBytes(x), 0);
  }
}

const PALETTE: Rgb[] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
];

export class LockedSegmentError extends Error {
  constructor(name: string) {
    super(`segment "${name}" is locked`);
    this.name = 'LockedSegmentError';
  }
}

/** An open edit (one brush stroke, one lasso): draw into `mask`, report touched rects, then commit. */
export interface EditSession {
  readonly mask: Mask;
  touch(rect: Rect): void;
  /** Records the edit as one undo step; returns false when nothing changed. */
  commit(label: string): boolean;
  /** Restores the frame as it was when the session began. */
  cancel(): void;
}

/** What an undo or redo changed: a segment's one frame, or the whole segment (no frame). */
export interface Touched {
  segmentId: string;
  frame?: number;
}

function touchedBy(entry: Entry): Touched[] {
  switch (entry.kind) {
    case 'pixels':
      return [{ segmentId: entry.segmentId, frame: entry.frame }];
    case 'add':
    case 'remove':
      return [{ segmentId: entry.segment.id }];
    case 'replace':
      return [{ segmentId: entry.segmentId }];
    case 'group':
      return entry.entries.flatMap(touchedBy);
  }
}

export class SegmentList {
  readonly segments: Segment[] = [];
  selectedId: string | null = null;
  /** What the last undo or redo changed (for saving just that). */
  lastTouched: Touched[] = [];
  private readonly history: History<Entry>;
  private nextId = 1;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly frameCount: number,
    limits?: HistoryLimits,
  ) {
    this.history = new History(entryBytes, limits);
  }

  get(id: string): Segment {
    const segment = this.segments.find((s) => s.id === id);
    if (!segment) throw new Error(`no segment ${id}`);
    return segment;
  }

  get selected(): Segment | null {
    return this.segments.find((s) => s.id === this.selectedId) ?? null;
  }

  private newInfo(info: Partial<SegmentInfo>): SegmentInfo {
    const n = this.nextId++;
    let id = info.id ?? `s${n}`;
    while (this.segments.some((s) => s.id === id)) id = `s${this.nextId++}`;
    return {
      name: `Segment ${n}`,
      color: PALETTE[(n - 1) % PALETTE.length] as Rgb,
      ...NEW_SEGMENT_DEFAULTS,
      ...info,
      id,
    };
  }

  private checkMasks(masks: Mask[]): void {
    if (masks.length !== this.frameCount) throw new Error(`expected ${this.frameCount} frames, got ${masks.length}`);
    for (const m of masks) {
      if (m.width !== this.width || m.height !== this.height) {
        throw new Error(`mask is ${m.width}x${m.height}, image is ${this.width}x${this.height}`);
      }
    }
  }

  /** Replaces every segment with saved ones (opening a series): not an undo step; history starts empty. */
  load(segments: Segment[]): void {
    for (const s of segments) this.checkMasks(s.masks);
    this.segments.splice(0, this.segments.length, ...segments);
    this.nextId = segments.length + 1;
    this.selectedId = segments[0]?.id ?? null;
    this.history.clear();
  }

  /** Adds several segments (an imported file) as one undo step. */
  addAll(items: { info: Partial<SegmentInfo>; masks: Mask[] }[], label: string): Segment[] {
    for (const item of items) this.checkMasks(item.masks);
    const added = items.map(({ info, masks }) => {
      const segment: Segment = { ...this.newInfo(info), masks };
      this.segments.push(segment);
      return segment;
    });
    this.history.push({
      kind: 'group',
      label,
      entries: added.map((segment) => ({ kind: 'add', label, segment, index: this.segments.indexOf(segment) })),
    });
    this.selectedId = added.at(-1)?.id ?? this.selectedId;
    return added;
  }

  /** Adds a segment (empty unless masks are given) as one undo step and selects it. */
  add(info: Partial<SegmentInfo> = {}, masks?: Mask[], label = 'Add segment'): Segment {
    const all = masks ?? Array.from({ length: this.frameCount }, () => createMask(this.width, this.height));
    this.checkMasks(all);
    const segment: Segment = { ...this.newInfo(info), masks: all };
    this.segments.push(segment);
    this.history.push({ kind: 'add', label, segment, index: this.segments.length - 1 });
    this.selectedId = segment.id;
    return segment;
  }

  remove(id: string): void {
    const index = this.segments.findIndex((s) => s.id === id);
    if (index < 0) return;
    const [segment] = this.segments.splice(index, 1) as [Segment];
    this.history.push({ kind: 'remove', label: `Delete ${segment.name}`, segment, index });
    if (this.selectedId === id) this.selectedId = this.segments[0]?.id ?? null;
  }

  /** Display properties (name, colour, visibility, lock, opacity, outline) are not undo steps. */
  update(id: string, changes: Partial<Omit<SegmentInfo, 'id' | 'source'>>): void {
    Object.assign(this.get(id), changes);
  }

  /**
   * An AI result: a new segment, or the selected one's masks replaced (when `replaceSelected`),
   * with its prompt, algorithm and pointing recorded, in one undo step.
   */
  applyAiResult(masks: Mask[], meta: AiResultMeta, replaceSelected = false): Segment {
    // A replaced segment takes the new prompt's coding, pointing and confidence, or none: the old ones
    // described the old answer. A fresh answer is the model's own again, not edited.
    const { prompt, algorithm, coding, pointing, confidence, lowConfidence } = meta;
    const info = {
      source: 'ai' as const,
      prompt,
      algorithm,
      coding,
      pointing,
      confidence,
      lowConfidence,
      edited: false,
    };
    const target = replaceSelected ? this.selected : null;
    if (!target)
      return this.add({ ...info, name: meta.name ?? meta.prompt.slice(0, MAX_SEGMENT_NAME) }, masks, 'AI result');
    if (target.locked) throw new LockedSegmentError(target.name);
    this.checkMasks(masks);
    const before = resultState(target);
    Object.assign(target, info, { masks });
    this.history.push({
      kind: 'replace',
      label: 'AI result',
      segmentId: target.id,
      before,
      after: resultState(target),
    });
    return target;
  }

  /** Opens an edit on one frame of a segment; a locked segment refuses. */
  beginEdit(id: string, frame: number): EditSession {
    const segment = this.get(id);
    if (segment.locked) throw new LockedSegmentError(segment.name);
    const mask = segment.masks[frame];
    if (!mask) throw new RangeError(`frame ${frame} out of range 0..${this.frameCount - 1}`);
    const snapshot = cloneMask(mask);
    let touched: Rect | null = null;
    return {
      mask,
      touch: (rect) => {
        if (rect.x1 < rect.x0) return;
        touched = touched
          ? {
              x0: Math.min(touched.x0, rect.x0),
              y0: Math.min(touched.y0, rect.y0),
              x1: Math.max(touched.x1, rect.x1),
              y1: Math.max(touched.y1, rect.y1),
            }
          : rect;
      },
      commit: (label) => {
        const patch = touched && makePatch(snapshot, mask, touched);
        if (!patch) return false;
        const wasEdited = segment.edited === true;
        // Any hand edit of an AI answer makes it "AI · edited"; undoing the edit gives back what it was.
        if (segment.source === 'ai') segment.edited = true;
        this.history.push({ kind: 'pixels', label, segmentId: id, frame, patch, wasEdited });
        return true;
      },
      cancel: () => mask.data.set(snapshot.data),
    };
  }

  /** Runs one tool call as a complete undo step. */
  edit(id: string, frame: number, label: string, tool: (mask: Mask) => Rect): boolean {
    const session = this.beginEdit(id, frame);
    session.touch(tool(session.mask));
    return session.commit(label);
  }

  get canUndo(): boolean {
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    return this.history.canRedo;
  }

  /** Reverts the last step; returns its label, or null when there was nothing to undo. */
  undo(): string | null {
    const entry = this.history.undo();
    if (!entry) return null;
    this.apply(entry, 'undo');
    this.lastTouched = touchedBy(entry);
    return entry.label;
  }

  redo(): string | null {
    const entry = this.history.redo();
    if (!entry) return null;
    this.apply(entry, 'redo');
    this.lastTouched = touchedBy(entry);
    return entry.label;
  }

  private apply(entry: Entry, direction: 'undo' | 'redo'): void {
    const forward = direction === 'redo';
    switch (entry.kind) {
      case 'pixels': {
        const segment = this.get(entry.segmentId);
        applyPatch(segment.masks[entry.frame] as Mask, entry.patch, forward ? 'after' : 'before');
        if (segment.source === 'ai') segment.edited = forward || entry.wasEdited;
        break;
      }
      case 'add':
      case 'remove':
        if (forward === (entry.kind === 'add')) {
          this.segments.splice(entry.index, 0, entry.segment);
          this.selectedId = entry.segment.id;
        } else {
          const i = this.segments.indexOf(entry.segment);
          if (i >= 0) this.segments.splice(i, 1);
          if (this.selectedId === entry.segment.id) this.selectedId = this.segments[0]?.id ?? null;
        }
        break;
      case 'replace': {
        const target = this.get(entry.segmentId);
        Object.assign(target, forward ? entry.after : entry.before);
        break;
      }
      case 'group': {
        const entries = forward ? entry.entries : [...entry.entries].reverse();
        for (const e of entries) this.apply(e, direction);
        break;
      }
    }
  }
}
