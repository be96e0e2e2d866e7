// What a prompt asks for that the model does not cover, and the prompt with its typos corrected.
// The model was trained on COVID-19 / pulmonary infection masks and lung masks on chest radiographs and
// on BTXRD's bone-tumour masks on radiographs of the limbs and pelvis; anything else it is asked for
// still gets an answer (the nearest thing it knows: a lung, an opacity), so the answer says so instead.

/** What the model covers, as the notices say it. */
export const COVERED = 'it covers lung infection, the lungs, and bone tumours of the limbs and pelvis';

interface Uncovered {
  /** How a notice names it: "the model does not segment <name>". */
  name: string;
  words: RegExp;
  /** Only in a prompt about the chest ("tumour" alone is a bone tumour). */
  inChest?: boolean;
}

// Findings first (they say more than the body part: "rib fracture"), then parts of the body. Words a bone
// prompt uses for the limbs ("femoral head", "femoral neck") are left out on purpose.
const UNCOVERED: readonly Uncovered[] = [
  { name: 'pneumothorax', words: /\b(pneumothora\w*|ptx)\b/i },
  { name: 'pleural effusion', words: /\b(effusions?|hydrothora\w*|pleural fluid|empyema)\b/i },
  { name: 'the heart', words: /\b(heart|cardiac|cardiomegaly|pericardi\w*)\b/i },
  { name: 'the mediastinum', words: /\bmediastin\w*/i },
  { name: 'emphysema', words: /\b(emphysema\w*|bullae|bullous)\b/i },
  { name: 'pulmonary oedema', words: /\b(o?edema\w*)\b/i },
  { name: 'fractures', words: /\b(fractur\w*|fx)\b/i },
  {
    name: 'lung masses or cancer',
    words: /\b(mass(es)?|cancers?|carcinoma\w*|tumou?rs?|neoplas\w*|metasta\w*)\b/i,
    inChest: true,
  },
  { name: 'the brain', words: /\b(brain|cerebr\w*|cerebell\w*|intracranial|glioma\w*|meningioma\w*)\b/i },
  {
    name: 'the skull and face',
    words: /\b(skull|cranial|cranium|face|facial|cheeks?|jaw|mandib\w*|sinus\w*|orbits?|teeth|tooth|dental)\b/i,
  },
  { name: 'the spine', words: /\b(spine|spinal|vertebra\w*|lumbar)\b/i },
  { name: 'the ribs and sternum', words: /\b(ribs?|costal|stern(um|al))\b/i },
  { name: 'the thyroid', words: /\bthyroid\b/i },
  { name: 'the breast', words: /\b(breasts?|mammar\w*)\b/i },
  { name: 'the liver', words: /\b(liver|hepat\w*)\b/i },
  { name: 'the kidneys', words: /\b(kidneys?|renal)\b/i },
  { name: 'the spleen', words: /\b(spleen|splenic)\b/i },
  { name: 'the pancreas', words: /\bpancrea\w*/i },
  {
    name: 'the abdomen',
    words: /\b(abdom\w*|bowel|intestin\w*|colon|stomach|gastr\w*|bladder|prostat\w*|uter\w*|ovar\w*)\b/i,
  },
];

/**
 * What the prompt names that the model does not cover ("pneumothorax", "the heart"), or null. `chest`:
 * the prompt is about the chest (grammar.ts, mentionsChest).
 */
export function uncoveredIn(text: string, chest: boolean): string | null {
  return UNCOVERED.find((u) => (chest || !u.inChest) && u.words.test(text))?.name ?? null;
}

/** The notice for a prompt naming what the model does not cover. */
export function uncoveredNotice(name: string): string {
  return `the model does not segment ${name}: ${COVERED}`;
}

/** The notice for a prompt whose typos change what it names. */
export function didYouMeanNotice(corrected: string): string {
  return `did you mean ${corrected}?`;
}

/** The notices a reading's scope gives: what it asks for outside the model, then its typos' correction. */
export function scopeNotices(reading: { outOfScope: string | null; didYouMean: string | null }): string[] {
  const notices: string[] = [];
  if (reading.outOfScope) notices.push(uncoveredNotice(reading.outOfScope));
  if (reading.didYouMean) notices.push(didYouMeanNotice(reading.didYouMean));
  return notices;
}

/** Edits allowed to reach a known word: none for short words (too many neighbours), more for long ones. */
function editsAllowed(length: number): number {
  if (length <= 3) return 0;
  return length <= 7 ? 1 : 2;
}

/** Optimal string alignment distance (Damerau–Levenshtein without re-editing a moved pair), capped at `max` + 1. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] as number) + 1);
      row.push(d);
    }
    before = previous;
    previous = row;
  }
  return Math.min(previous[b.length] as number, max + 1);
}

/** The one known word nearest `word` within the edits its length allows, or null (none, or a tie). */
function nearest(word: string, known: ReadonlySet<string>): string | null {
  const max = editsAllowed(word.length);
  let best: string | null = null;
  let bestDistance = max + 1;
  let tie = false;
  for (const candidate of known) {
    const d = editDistance(word, candidate, max);
    if (d < bestDistance) [best, bestDistance, tie] = [candidate, d, false];
    else if (d === bestDistance && d <= max) tie = true;
  }
  return best && !tie ? best : null;
}

/** `corrected` with the case of `typed`'s first letter, or all capitals when `typed` is. */
function inCaseOf(typed: string, corrected: string): string {
  if (typed.length > 1 && typed === typed.toUpperCase()) return corrected.toUpperCase();
  const first = typed[0] as string;
  return first === first.toUpperCase() ? `${corrected[0]?.toUpperCase()}${corrected.slice(1)}` : corrected;
}

/**
 * The prompt with each of its `unread` words (the words its reading did not understand) replaced by the one
 * `known` word (lower case) within a short edit distance ("rigth lung" → "right lung"), or null when there
 * is nothing to correct. Both are given, not fixed here, so any reading and word list can feed it.
 */
export function correctedPrompt(text: string, unread: readonly string[], known: ReadonlySet<string>): string | null {
  const typos = new Set(unread.map((word) => word.toLowerCase()));
  let changed = false;
  const fixed = text.replace(/\p{L}+/gu, (word) => {
    const lower = word.toLowerCase();
    if (!typos.has(lower) || known.has(lower)) return word;
    const near = nearest(lower, known);
    if (!near) return word;
    changed = true;
    return inCaseOf(word, near);
  });
  return changed ? fixed : null;
}
