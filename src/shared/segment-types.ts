// The segmenter's IPC channels (run a prompt on a displayed frame, cancel, status) and its progress
// event, merged into the app's contract in src/shared/ipc.ts. Masks travel bit-packed (packBits in
// labelmap/bits.ts: one bit per pixel, least significant first) as Uint8Array, which both
// transports carry (structured clone; the wire codec's base64).
import type { SegmentCoding } from './labelmap/coding';
import { MAX_PROMPT_LENGTH, type ShownReading } from './shown-reading';
import * as v from './validate';

/** Execution providers ORT may run the model on (what actually runs is reported back). */
export type ExecutionProviderName = 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
/** 'auto': the platform's GPU provider (cuda on Linux, dml on Windows, coreml on macOS), else cpu. */
export type ExecutionProviderChoice = 'auto' | ExecutionProviderName;

/** Side of the model's mask grid: drafts stream at this size (16x16 patches of 16 px). */
export const PARTIAL_SIZE = 256;

const requestId = v.string({ min: 1, max: 64 });

/** Most clicks one request may carry (the model says how many it takes; more is refused in words). */
export const MAX_REQUEST_CLICKS = 64;

const coordinate = v.number({ min: -1e6, max: 1e6 });
/** A box in source pixels (edges): x0 ≤ x < x1, y0 ≤ y < y1. */
export const boxSchema = v.object({ x0: coordinate, y0: coordinate, x1: coordinate, y1: coordinate });
/** A click in source pixels (a pixel's centre is x + 0.5); `positive` false: "not this". */
export const clickSchema = v.object({ x: coordinate, y: coordinate, positive: v.boolean() });
export type PointedBox = v.Infer<typeof boxSchema>;
export type PointedClick = v.Infer<typeof clickSchema>;

export const segmentArgSchemas = {
  'segment:run': v.object({
    seriesId: v.string({ min: 1, max: 64 }),
    /** Frame index within the series, as the viewer counts them. */
    index: v.number({ min: 0, integer: true }),
    prompt: v.string({ max: MAX_PROMPT_LENGTH }),
    requestId,
    /** Where the clinician pointed: the answer is decoded zoomed (src/main/segmenter/pipeline/pointed.ts). */
    box: v.optional(boxSchema),
    clicks: v.optional(v.array(clickSchema, { max: MAX_REQUEST_CLICKS })),
    /** The segment's mask so far (width x height bits, packed): what the clicks correct. */
    previous: v.optional(v.bytes({ max: 64 * 1024 * 1024 })),
  }),
  'segment:cancel': v.object({ requestId }),
  'segment:status': v.object({}),
  /** What a prompt is read as, without the model: cheap enough to ask on every pause in typing. */
  'segment:read': v.object({ prompt: v.string({ max: MAX_PROMPT_LENGTH }) }),
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
   * the model's low-confidence fallback (src/main/segmenter/pipeline/segment.ts). null: decoded by argmax.
   */
  threshold: number | null;
  /** Where the mask was cut from the model's probability map: the threshold, or lower for a lesion. */
  cut: number | null;
  /** Which gate kept the answer inside the places the prompt names (src/main/segmenter/pipeline/lung-gate.ts, film-region.ts), if any. */
  gated: Gate | null;
  /** How sure the answer is, 0..1, from the model's token probabilities; null when the model decodes by argmax. */
  confidence: number | null;
  /**
   * Plain-language notices: what the prompt asks for that the model does not cover, "did you mean …?",
   * low confidence, unknown words, a prompt cut short, an image of another kind.
   */
  notices: string[];
  /** The answer is labelled low confidence (src/main/segmenter/pipeline/answer-notices.ts): a notice says why. */
  lowConfidence: boolean;
  /**
   * Where to check first: PARTIAL_SIZE² bytes on the model's grid (stretched over the image like a draft),
   * 0..255 per pixel, from the test-time views' disagreement and their expected-patch probabilities;
   * null when the model decodes by argmax.
   */
  uncertainty: Uint8Array | null;
  /** What the prompt names, coded for the segment (DICOM SEG's category and type); null when nothing codable. */
  coding: SegmentCoding | null;
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
  'segment:read': ShownReading;
}

export interface SegmentProgress {
  requestId: string;
  /**
   * Mask tokens decoded so far, of `total`: 256 per decode planned (one per test-time view, and one for
   * the lung gate when the prompt needs it). The total stays for the whole answer; a retry at a lower
   * threshold (`retry`) counts its round again against it (from the lung gate's 256, decoded once).
   */
  decoded: number;
  total: number;
  retry: boolean;
  /**
   * PARTIAL_SIZE² bits, packed, when a new draft is out: the answer so far (the first view's, then the
   * mean of the views landed), cut as the final answer is.
   */
  partial?: Uint8Array;
}

export interface SegmentEvents {
  'segment:progress': SegmentProgress;
}

/** The expected-patch rule's threshold: a pixel is foreground when it is more likely than not. */
export const EXPECTED_THRESHOLD = 0.5;

/** Whether a mask came from the empty-answer fallback (a threshold under EXPECTED_THRESHOLD). */
/** The lungs and zones a chest prompt names, or the part of the film a lesion prompt names. */
export type Gate = 'lungs' | 'film' | 'box';

const GATE_NOTES: Record<Gate, string> = {
  lungs: 'kept inside the lungs and zones the prompt names',
  film: 'kept near the part of the film the prompt names',
  box: 'kept inside the box drawn',
};

export function isFallback(threshold: number | null): boolean {
  return threshold !== null && threshold < EXPECTED_THRESHOLD;
}

/** What a result says about a fallback answer and a gated one, '; '-separated; empty for none. */
export function resultNote({ threshold, cut, gated }: Pick<SegmentResult, 'threshold' | 'cut' | 'gated'>): string {
  const shownAt = Number((cut ?? threshold ?? 0).toFixed(2));
  const notes = [
    isFallback(threshold) ? `low confidence: nothing above ${EXPECTED_THRESHOLD}, shown at ${shownAt}` : '',
    gated ? GATE_NOTES[gated] : '',
  ];
  return notes.filter(Boolean).join('; ');
}
