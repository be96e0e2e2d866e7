// Runs a prompt on the frame the editor shows: segment:run in main, its segment:progress drafts as
// the editor's preview, and the result as a new AI segment (one undo step, prompt kept). A box or
// click (point) runs the same way with where it points, and its answer replaces the segment it refines.
// A new prompt replaces the running one (main cancels it); Cancel asks main to stop it.
import { IpcError, type NextmaskApi } from '../../../shared/ipc';
import { packBits, unpackBits } from '../../../shared/labelmap/bits';
import { cloneMask, createMask, type Mask } from '../../../shared/labelmap/mask';
import { describePointing } from '../../../shared/labelmap/pointing';
import type { Pointing } from '../../../shared/labelmap/segments';
import {
  type ExecutionProviderName,
  PARTIAL_SIZE,
  resultNote,
  type SegmenterStatus,
  type SegmentProgress,
  type SegmentResult,
} from '../../../shared/segment-types';
import type { SegmentEditor } from '../segments/editor.svelte';
import { type PointChange, type PointedRun, pointedRun, refinable } from '../segments/pointing';

/** The algorithm recorded with an AI segment; the model folder's name follows it. */
export const ALGORITHM = 'NextMask NTP-MRISeg';

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The prompt quoted, with what was pointed at: “left femur” + box + 2 clicks. */
function promptLabel(prompt: string, pointing?: Pointing): string {
  return [prompt ? `“${prompt}”` : '', pointing ? describePointing(pointing) : ''].filter(Boolean).join(' + ');
}

/** What a finished run says about itself. */
export function describeResult(prompt: string, r: SegmentResult, pointing?: Pointing): string {
  // The provider in a few words; why another was not used is in the log and the provider's tooltip.
  const on = r.fallbackReason ? `${r.provider} (no GPU provider)` : r.provider;
  const note = [resultNote(r), ...r.notices].filter(Boolean).join('; ');
  const confidence = note ? ` (${note})` : '';
  return `${promptLabel(prompt, pointing)}: ${r.foreground.toLocaleString('en')} px${confidence}, ${r.forwardPasses} passes, ${r.ms} ms on ${on}`;
}

interface ResultLine {
  message: string | null;
  error: string | null;
}

export class SegmentRunner {
  running = $state(false);
  decoded = $state(0);
  /** The answer's token total as main planned it; 0 until its first progress report (no guessed total to jump from). */
  total = $state(0);
  /** The provider of the last result. */
  provider = $state<ExecutionProviderName | null>(null);
  // Each series' result line (what its last run said); a series shows its own, or none.
  private lines = $state<Record<string, ResultLine>>({});
  /** The segmenter's model folder and provider, as main last reported them. */
  status = $state<SegmenterStatus | null>(null);
  /** The box and clicks of the pointed answer decoding, for the overlay to show at once. */
  pending = $state.raw<Pointing | null>(null);
  private current: { requestId: string; seriesId: string; frame: number; pointed?: PointedRun } | null = null;
  private count = 0;

  constructor(
    private readonly api: NextmaskApi,
    private readonly editor: SegmentEditor,
  ) {
    api.on('segment:progress', (p) => this.progress(p));
    void this.refreshStatus();
  }

  get message(): string | null {
    return this.lines[this.editor.seriesId ?? '']?.message ?? null;
  }
  set message(text: string | null) {
    this.say({ message: text });
  }
  get error(): string | null {
    return this.lines[this.editor.seriesId ?? '']?.error ?? null;
  }
  set error(text: string | null) {
    this.say({ error: text });
  }

  /** Sets the result line of a series (the one shown unless named). */
  private say(line: Partial<ResultLine>, seriesId = this.editor.seriesId ?? ''): void {
    this.lines[seriesId] = { message: null, error: null, ...this.lines[seriesId], ...line };
  }

  /** Share of the answer decoded, 0..1. */
  get fraction(): number {
    return this.total > 0 ? this.decoded / this.total : 0;
  }

  /** What a running prompt shows: the model loading, then the tokens decoded out of the answer's one total. */
  get progressText(): string {
    if (this.total > 0) return `Decoding ${this.decoded}/${this.total}`;
    return this.status?.loaded ? 'Decoding…' : 'Loading the model…';
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await this.api.invoke('segment:status', {});
    } catch {
      // Main unreachable: the app's status bar already says so.
    }
  }

  private progress(p: SegmentProgress): void {
    const current = this.current;
    if (!current || p.requestId !== current.requestId) return;
    this.decoded = p.decoded;
    this.total = p.total;
    if (!p.partial || this.editor.seriesId !== current.seriesId) return;
    const mask: Mask = {
      width: PARTIAL_SIZE,
      height: PARTIAL_SIZE,
      data: unpackBits(p.partial, PARTIAL_SIZE * PARTIAL_SIZE),
    };
    this.editor.preview = { frame: current.frame, mask };
  }

  /**
   * A box drawn or a click made on the shown frame: re-decodes the selected AI segment with its prompt,
   * box and clicks so far plus this one, or (no AI segment selected) makes a new segment from `text`.
   * A pointed answer still decoding is built on, not lost: main cancels it for this one.
   */
  async point(change: PointChange, text: string): Promise<void> {
    const { list, frame } = this.editor;
    if (!list) {
      this.error = 'open an image first';
      return;
    }
    // A pointed answer still decoding is built on: its segment (or none), prompt and pointing.
    const inFlight = this.current?.pointed;
    const target = inFlight
      ? (list.segments.find((s) => s.id === inFlight.targetId) ?? null)
      : refinable(this.editor.selected);
    const base = inFlight ? inFlight.pointing : target?.pointing;
    const request = pointedRun(change, frame, list, target, base, inFlight && !target ? inFlight.prompt : text);
    if (typeof request === 'string') {
      this.error = request;
      this.message = null;
      return;
    }
    const mask = target?.masks[frame];
    await this.run(request.prompt, { ...request, ...(mask ? { previous: packBits(mask.data) } : {}) });
  }

  async run(prompt: string, pointed?: PointedRun): Promise<void> {
    const { seriesId, frame, list } = this.editor;
    if (!seriesId || !list) {
      this.error = 'open an image first';
      return;
    }
    const requestId = `prompt-${Date.now().toString(36)}-${++this.count}`;
    this.current = { requestId, seriesId, frame, ...(pointed ? { pointed } : {}) };
    const pointing = pointed?.pointing;
    this.pending = pointing ?? null;
    this.running = true;
    this.decoded = 0;
    this.total = 0;
    this.error = null;
    this.message = null;
    this.editor.preview = null;
    this.editor.uncertainty = null;
    try {
      // Main cancels any request still running when this one arrives.
      const where = pointed && {
        ...(pointed.pointing.box ? { box: pointed.pointing.box } : {}),
        clicks: pointed.pointing.clicks,
        ...(pointed.previous ? { previous: pointed.previous } : {}),
      };
      const result = await this.api.invoke('segment:run', { seriesId, index: frame, prompt, requestId, ...where });
      if (this.current?.requestId !== requestId) return;
      this.provider = result.provider;
      if (this.editor.seriesId !== seriesId || this.editor.list !== list) {
        this.say(
          { message: `${describeResult(prompt, result, pointing)}; not added: the series was left meanwhile` },
          seriesId,
        );
        return;
      }
      if (result.width !== list.width || result.height !== list.height) {
        throw new Error(`the mask is ${result.width}x${result.height}, the image ${list.width}x${list.height}`);
      }
      // A refined segment keeps its other frames and the coding it has (the prompt is its own).
      const target = pointed?.targetId !== undefined ? list.segments.find((s) => s.id === pointed.targetId) : undefined;
      const masks = Array.from({ length: list.frameCount }, (_, i) => {
        const kept = target?.masks[i];
        const mask = kept && i !== frame ? cloneMask(kept) : createMask(list.width, list.height);
        if (i === frame) mask.data.set(unpackBits(result.mask, list.width * list.height));
        return mask;
      });
      const coding = target ? (target.coding ?? result.coding) : result.coding;
      this.editor.preview = null;
      await this.editor.applyAiResult(
        masks,
        {
          prompt,
          algorithm: `${ALGORITHM} ${result.model}`,
          ...(coding ? { coding } : {}),
          ...(pointing ? { pointing } : {}),
          ...(result.confidence !== null ? { confidence: result.confidence } : {}),
          ...(result.lowConfidence ? { lowConfidence: true } : {}),
          ...(!prompt && pointing ? { name: `Pointed: ${describePointing(pointing)}` } : {}),
        },
        target?.id,
      );
      if (result.uncertainty) {
        const map = { width: PARTIAL_SIZE, height: PARTIAL_SIZE, data: result.uncertainty };
        this.editor.uncertainty = { frame, map };
      }
      this.say({ message: describeResult(prompt, result, pointing) }, seriesId);
    } catch (err) {
      if (this.current?.requestId !== requestId) return; // replaced by a newer prompt
      if (err instanceof IpcError && err.code === 'cancelled')
        this.say({ message: `${promptLabel(prompt, pointing)}: cancelled` }, seriesId);
      else this.say({ error: messageOf(err) }, seriesId);
    } finally {
      if (this.current?.requestId === requestId) {
        this.current = null;
        this.running = false;
        this.pending = null;
        this.editor.preview = null;
        void this.refreshStatus();
      }
    }
  }

  /** Asks main to stop the running prompt; its run() then ends as cancelled. */
  async cancel(): Promise<void> {
    const current = this.current;
    if (!current) return;
    try {
      await this.api.invoke('segment:cancel', { requestId: current.requestId });
    } catch (err) {
      this.error = messageOf(err);
    }
  }
}
