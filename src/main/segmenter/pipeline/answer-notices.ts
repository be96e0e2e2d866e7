// What an answer says about itself beyond its mask: how sure the model is (from its own token
// probabilities) and what it could not read as asked — a prompt asking for what the model does not
// cover or with a typo that changes what it names, a prompt mostly of words its vocabulary does not
// know, a prompt longer than it reads, an image of a kind it was not trained on. The answer is still
// given; these say plainly why it may not be what was asked for, and label it low confidence.
import { codingOf, type SegmentCoding } from '../../../shared/labelmap/coding';
import { isFallback } from '../../../shared/segment-types';
import type { Mask, Plane } from '../../imaging/resample';
import type { PromptReading } from '../../prompt/reading';
import { scopeNotices } from '../../prompt/scope';
import { type TextVocab, UNK_ID } from '../../tokenizers/text-vocab';

/** How a prompt fits the model's text part: the words its vocabulary knows and how many fit its length. */
export interface TextFit {
  /** Words of the prompt (runs of letters or digits). */
  words: number;
  /** Words with a piece the vocabulary does not know (read as UNK). */
  unknown: string[];
  /** Words read whole within the model's text length. */
  read: number;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'-]*/gu;

/** How `text` fits the model: each word as the tokenizer splits it (with its leading space), in order. */
export async function fitText(vocab: TextVocab, text: string, maxText: number): Promise<TextFit> {
  const words = text.match(WORD) ?? [];
  const unknown: string[] = [];
  let tokens = 0;
  let read = 0;
  for (const [i, word] of words.entries()) {
    const ids = await vocab.encode(i === 0 ? word : ` ${word}`);
    if (ids.some((id) => id === UNK_ID)) unknown.push(word);
    tokens += ids.length;
    if (tokens <= maxText) read++;
  }
  return { words: words.length, unknown, read };
}

/** DICOM modalities of the radiographs the model was trained on (chest and bone X-ray films). */
export const RADIOGRAPH_MODALITIES: readonly string[] = ['CR', 'DX', 'RG', 'DR'];

/** A DICOM Modality that is known not to be a radiograph (OT, other, and none say nothing). */
export function notRadiograph(modality: string | undefined): boolean {
  const kind = modality?.toUpperCase();
  return Boolean(kind && kind !== 'OT' && !RADIOGRAPH_MODALITIES.includes(kind));
}

/**
 * Words of a DICOM BodyPartExamined (0018,0015) for what the model was trained on: the chest, and the
 * bones and joints of the limbs and pelvis where BTXRD's tumours lie (tibia, femur, humerus, fibula,
 * hand, foot, hip bone, ulna, radius; knee, shoulder, elbow, ankle). Matched inside the value, so
 * "CHEST_PA", "LOWER LIMB" and "UPPER EXTREMITY" count; the DICOM defined terms and common variants.
 */
const TRAINED_BODY_PARTS =
  /CHEST|THORA|TORAX|LUNG|RIB|STERN|CLAVIC|SCAPUL|SHOULDER|HUMER|ARM|ELBOW|RADIUS|ULNA|WRIST|HAND|FINGER|THUMB|PELVI|HIP|FEMUR|THIGH|LEG|KNEE|PATELL|TIBIA|FIBULA|ANKLE|FOOT|TOE|CALCAN|LIMB|EXTREM|EXM|BONE|SKELET/;

/**
 * Below this confidence an answer is labelled low confidence (val calibration: docs/BENCHMARKS.md,
 * "Confidence and Dice"). On the bench's 180 val answers, 0.7 labels 23 (mean Dice 0.36 against 0.75 for
 * the rest; 14 of them under Dice 0.5) and catches 14 of the 45 answers under 0.5; 0.6 labelled 1 of them.
 */
export const LOW_CONFIDENCE = 0.7;

/**
 * How sure the answer is, in [0, 1]: over the pixels of every 16x16 patch where the answer's probability
 * map (the expected patches of the model's own code probabilities, averaged over the views) has any mass,
 * the mean of |2p − 1| — 1 where every such pixel is certain either way, 0 where each is a coin toss.
 * An answer with no mass anywhere is as sure as its background: 1.
 */
export function answerConfidence(map: Plane<Float32Array>, patch = 16, floor = 0.05): number {
  const { width, height, data } = map;
  let sum = 0;
  let n = 0;
  for (let top = 0; top < height; top += patch) {
    for (let left = 0; left < width; left += patch) {
      let any = false;
      for (let y = top; y < Math.min(top + patch, height) && !any; y++)
        for (let x = left; x < Math.min(left + patch, width); x++)
          if ((data[y * width + x] as number) >= floor) any = true;
      if (!any) continue;
      for (let y = top; y < Math.min(top + patch, height); y++)
        for (let x = left; x < Math.min(left + patch, width); x++) {
          sum += Math.abs(2 * (data[y * width + x] as number) - 1);
          n++;
        }
    }
  }
  return n === 0 ? 1 : sum / n;
}

/**
 * Per pixel, how unsure the answer is there, 0..255: the overlay of where to check first. From the views'
 * probability maps (the expected patches of each view): 1 − |2p − 1| of their mean p (255 at p = 1/2,
 * where the model's own code probabilities or the views' votes split evenly), or twice their spread
 * (standard deviation) where the views disagree more than their mean shows. 0 outside `inside` (the gate
 * that kept the answer there decided it).
 */
export function uncertaintyMap(maps: readonly Plane<Float32Array>[], inside: Mask | null = null): Uint8Array {
  const first = maps[0];
  if (!first) throw new Error('uncertaintyMap needs at least one map');
  const out = new Uint8Array(first.data.length);
  for (let i = 0; i < out.length; i++) {
    if (inside && inside.data[i] !== 1) continue;
    let sum = 0;
    let squares = 0;
    for (const m of maps) {
      const p = m.data[i] as number;
      sum += p;
      squares += p * p;
    }
    const mean = sum / maps.length;
    const spread = Math.sqrt(Math.max(0, squares / maps.length - mean * mean));
    out[i] = Math.round(255 * Math.min(1, Math.max(1 - Math.abs(2 * mean - 1), 2 * spread)));
  }
  return out;
}

/** What an answer says about itself: its plain-language notices, and whether it is labelled low confidence. */
export interface AnswerDoubts {
  /** Empty when there is nothing to say. */
  notices: string[];
  /**
   * The answer is likely not what was asked for: its confidence is under LOW_CONFIDENCE, or it is the
   * empty-answer fallback, or the prompt or the image is outside what the model covers; a notice says why.
   */
  lowConfidence: boolean;
}

/** The notices for an answer and whether it is low confidence; each notice says whether it makes it so. */
export function answerNotices(facts: {
  textFit: TextFit;
  confidence: number | null;
  /** The expected-patch threshold of the answer (under 0.5: the fallback); null or absent under argmax. */
  threshold?: number | null;
  /** What the prompt names outside the model, its typos, what was read and the words not (reading.ts); absent: not read. */
  reading?: Pick<PromptReading, 'outOfScope' | 'didYouMean' | 'terms' | 'unread'>;
  /** DICOM Modality (0008,0060) of the image, when it is a DICOM one. */
  modality?: string;
  /** DICOM BodyPartExamined (0018,0015), when the file says. */
  bodyPart?: string;
}): AnswerDoubts {
  const { textFit: fit, confidence, threshold = null, reading, modality, bodyPart } = facts;
  // What the prompt asks for comes first: the line may be cut short on a small screen.
  const said: [notice: string, doubtful: boolean][] = reading ? scopeNotices(reading).map((n) => [n, true]) : [];
  // Out-of-scope words and typos are unread too; their notices already say more.
  const unread = said.length > 0 ? [] : (reading?.unread ?? []);
  if (unread.length > 0) {
    const shown = `${unread.slice(0, 8).join(', ')}${unread.length > 8 ? ', …' : ''}`;
    // With no word read, the answer follows nothing the prompt says.
    said.push(
      reading?.terms.length === 0
        ? [`no word of the prompt was understood (${shown}): the answer does not follow it`, true]
        : [`not understood: ${shown} (the answer follows the words that were)`, false],
    );
  }
  if (fit.words > 0 && fit.unknown.length * 2 > fit.words) {
    const shown = fit.unknown.slice(0, 5).join(', ');
    said.push([
      `most of the prompt's words are unknown to the model (${fit.unknown.length} of ${fit.words}: ${shown}${fit.unknown.length > 5 ? ', …' : ''}); it was trained on English descriptions, so the answer may not follow the prompt`,
      true,
    ]);
  }
  if (fit.read < fit.words) {
    said.push([
      `the prompt is longer than the model reads: it read the first ${fit.read} of ${fit.words} words`,
      false,
    ]);
  }
  const part = bodyPart?.trim();
  if (notRadiograph(modality)) {
    said.push([
      `this is a ${modality} image; the model was trained on chest and bone radiographs only, so the answer is unlikely to mean anything`,
      true,
    ]);
  } else if (part && !TRAINED_BODY_PARTS.test(part.toUpperCase())) {
    // A radiograph (or an image of unknown kind) of another part of the body.
    said.push([
      `this image shows the ${part} (its BodyPartExamined); the model was trained on chest films and on bone tumours of the limbs and pelvis only, so the answer is unlikely to mean anything`,
      true,
    ]);
  }
  if (confidence !== null && confidence < LOW_CONFIDENCE) {
    said.push([`low confidence (${confidence.toFixed(2)}): check the mask closely`, true]);
  }
  return {
    notices: said.map(([notice]) => notice),
    // The fallback says "low confidence" in the result's own note (resultNote).
    lowConfidence: isFallback(threshold) || said.some(([, doubtful]) => doubtful),
  };
}

/**
 * The answer's coding: the prompt's, or on an image the model was not trained on (CT, MR) the generic
 * "Tissue" that uncoded segments are written as, so the segment is not coded as what the prompt names
 * (a "brain tumour" on an MR is no bone neoplasm) and a reload does not code it from its prompt again.
 */
export function answerCoding(
  reading: Pick<PromptReading, 'coding'>,
  modality: string | undefined,
): SegmentCoding | null {
  return notRadiograph(modality) ? codingOf('tissue') : reading.coding;
}
