// The segmenter's IPC channels (run a prompt on a displayed frame, cancel, status) and its progress
// event, merged into the app's contract in src/shared/ipc.ts. Masks travel bit-packed (packBits in
// labelmap/bits.ts: one bit per pixel, least significant first) as Uint8Array, which both
// transports carry (structured clone; the wire codec's base64).
import * as v from './validate';

/** Execution providers ORT may run the model on (what actually runs is reported back). */
export type ExecutionProviderName = 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
/** 'auto': the platform's GPU provider (cuda on Linux, dml on Windows, coreml on macOS), else cpu. */
export type ExecutionProviderChoice = 'auto' | ExecutionProviderName;

/** Side of the model's mask grid: partial masks stream at this size (16x16 patches of 16 px). */
export const PARTIAL_SIZE = 256;

const requestId = v.string({ min: 1, max: 64 });

export const segmentArgSchemas = {
  'segment:run': v.object({
    seriesId: v.string({ min: 1, max: 64 }),
    /** Frame index within the series, as the viewer counts them. */
    index: v.number({ min: 0, integer: true }),
    prompt: v.string({ max: 10_000 }),
    requestId,
  }),
  'segment:cancel': v.object({ requestId }),
  'segment:status': v.object({}),
} satisfies Record<string, v.Schema<unknown>>;

export interface ProviderReport {
  provider: ExecutionProviderName;
  /** Why the requested provider is not the one running, when it is not. */
  fallbackReason?: string;
}

export interface SegmentResult extends ProviderReport {
  requestId: string;
  /** The source image's size: the mask covers the frame pixel for pixel. */
  width: number;
  height: number;
  /** width x height bits, packed. */
  mask: Uint8Array;
  foreground: number;
  forwardPasses: number;
  /**
   * The expected-patch threshold that gave the mask: under 0.5 the first answer was empty and this one is
   * the model's low-confidence fallback (src/main/model/segment.ts). null: decoded by argmax.
   */
  threshold: number | null;
  /** Where the mask was cut from the model's probability map: the threshold, or lower for a lesion. */
  cut: number | null;
  /** Which gate kept the answer inside the places the prompt names (src/main/model/lung-gate.ts, film-region.ts), if any. */
  gated: Gate | null;
  /** Whether a zoomed second look at the part of the film the prompt names added to the answer (src/main/model/zoom-pass.ts). */
  zoomed: boolean;
  /** The model folder's name (the algorithm version recorded with the segment, as the CLI's SEG does). */
  model: string;
  /** Worker time for this request: input preparation, model load if needed, segmentation. */
  ms: number;
}

export interface SegmenterStatus {
  modelDir: string;
  loaded: boolean;
  requested: ExecutionProviderChoice;
  /** The provider the loaded model runs on; null before the first load. */
  provider: ExecutionProviderName | null;
  fallbackReason?: string;
  /** ORT intra-op threads; null: ORT's default. */
  threads: number | null;
}

export interface SegmentResults {
  /** Rejects with the 'cancelled' code when cancelled or replaced by a newer request. */
  'segment:run': SegmentResult;
  /** False when the request was not running (already finished, or unknown). */
  'segment:cancel': { cancelled: boolean };
  'segment:status': SegmenterStatus;
}

export interface SegmentProgress {
  requestId: string;
  /**
   * Mask tokens decoded so far, of `total`: 256 per decode, one decode per test-time view (a retry at a
   * lower threshold adds a round).
   */
  decoded: number;
  total: number;
  /** PARTIAL_SIZE² bits, packed: the first view's decoded patches (row-major over the 16x16 grid), the rest background. */
  partial: Uint8Array;
}

export interface SegmentEvents {
  'segment:progress': SegmentProgress;
}

/** The expected-patch rule's threshold: a pixel is foreground when it is more likely than not. */
export const EXPECTED_THRESHOLD = 0.5;

/** Whether a mask came from the empty-answer fallback (a threshold under EXPECTED_THRESHOLD). */
/** The lungs and zones a chest prompt names, or the part of the film a lesion prompt names. */
export type Gate = 'lungs' | 'film';

const GATE_NOTES: Record<Gate, string> = {
  lungs: 'kept inside the lungs and zones the prompt names',
  film: 'kept near the part of the film the prompt names',
};

export function isFallback(threshold: number | null): boolean {
  return threshold !== null && threshold < EXPECTED_THRESHOLD;
}

/** What a result says about a fallback answer, a gated one and a zoomed one, '; '-separated; empty for none. */
export function resultNote({
  threshold,
  cut,
  gated,
  zoomed,
}: Pick<SegmentResult, 'threshold' | 'cut' | 'gated' | 'zoomed'>): string {
  const shownAt = Number((cut ?? threshold ?? 0).toFixed(2));
  const notes = [
    isFallback(threshold) ? `low confidence: nothing above ${EXPECTED_THRESHOLD}, shown at ${shownAt}` : '',
    gated ? GATE_NOTES[gated] : '',
    zoomed ? 'with a second, zoomed look at the part of the film it names' : '',
  ];
  return notes.filter(Boolean).join('; ');
}
