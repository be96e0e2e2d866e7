// Words both kinds of prompt use: sides, counts, negation, view words, and the words that carry no finding
// ("the", "shows", "consistent with"), each table a list of written forms → one canonical term. words.ts
// matches them; grammar.ts and canonical.ts read the terms. Forms are written in lower case, singular, with
// American spelling: words.ts folds case, plurals, hyphens and British spellings onto them.

export type Side = 'left' | 'right';
export type Zone = 'upper' | 'middle' | 'lower';
export const ZONES: readonly Zone[] = ['upper', 'middle', 'lower'];

/** One canonical term and the ways reports write it. */
export interface Entry {
  term: string;
  forms: readonly string[];
}

/** A named table of entries: `name` is what a match reports as its table. */
export interface Table<E extends Entry = Entry> {
  name: string;
  entries: readonly E[];
}

export const SIDES: Table = {
  name: 'side',
  entries: [
    { term: 'left', forms: ['left', 'lt', 'left-sided', 'left sided'] },
    { term: 'right', forms: ['right', 'rt', 'right-sided', 'right sided'] },
  ],
};

/** Whether a finding is in both lungs or one ("bilateral", "both lungs"). */
export const LATERALITY: Table = {
  name: 'laterality',
  entries: [
    { term: 'bilateral', forms: ['bilateral', 'bilaterally', 'both', 'both sides', 'both lungs', 'both lung'] },
    { term: 'unilateral', forms: ['unilateral', 'unilaterally', 'one lung', 'one side'] },
  ],
};

export const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** Counts in words and digits; the term is the number's digits. */
export const COUNTS: Table = {
  name: 'count',
  entries: [
    ...NUMBER_WORDS.map((name, n) => ({
      term: String(n),
      forms: n === 1 ? [name, String(n), 'single', 'solitary', 'a single', 'isolated'] : [name, String(n)],
    })),
    ...Array.from({ length: 20 }, (_, i) => ({ term: String(i + 11), forms: [String(i + 11)] })),
  ],
};

/** "no consolidation": what follows is said to be absent. */
export const NEGATION: Table = {
  name: 'negation',
  entries: [
    {
      term: 'no',
      forms: ['no', 'without', 'negative for', 'free of', 'absence of', 'no evidence of', 'no sign of', 'not', 'none'],
    },
  ],
};

/** The projection, as BTXRD's descriptions name it ("(frontal view)"). */
export const VIEWS: Table = {
  name: 'view',
  entries: [
    {
      term: 'frontal',
      forms: ['frontal', 'ap', 'pa', 'anteroposterior', 'posteroanterior', 'frontal view', 'ap view', 'pa view'],
    },
    { term: 'lateral', forms: ['lateral', 'lat', 'lateral view', 'lat view'] },
    { term: 'oblique', forms: ['oblique', 'oblique view'] },
  ],
};

/** A prompt that says there is nothing to find. */
export const NORMAL: Table = {
  name: 'normal',
  entries: [
    { term: 'normal', forms: ['normal', 'unremarkable', 'clear', 'nothing abnormal', 'no abnormality', 'no findings'] },
  ],
};

/**
 * Words that carry no finding, place or kind: function words and the frame of a report sentence. Read
 * (they are not "not understood"), and dropped from the canonical text.
 */
export const FUNCTION_WORDS: Table = {
  name: 'function',
  entries: [
    {
      term: '',
      forms: [
        ...['a', 'an', 'the', 'of', 'in', 'at', 'on', 'to', 'with', 'and', 'or', 'as', 'by', 'for', 'from', 'into'],
        ...['is', 'are', 'be', 'there', 'this', 'these', 'that', 'which', 'within', 'involving', 'affecting'],
        ...['also', 'seen', 'noted', 'present', 'shows', 'showing', 'show', 'demonstrates', 'demonstrating'],
        ...['visible', 'identified', 'evident', 'appearance', 'appearing', 'appears', 'change', 'changes'],
        ...['consistent with', 'in keeping with', 'compatible with', 'suggestive of', 'suspicious for'],
        ...['concerning for', 'likely', 'probable', 'probably', 'possible', 'suspected', 'representing'],
        ...['finding', 'findings', 'impression', 'radiograph', 'x-ray', 'xray', 'film', 'image', 'study'],
        ...['examination', 'exam', 'projection', 'view', 'segment', 'mark', 'outline', 'please', 'patient'],
        ...["patient's", 'located', 'situated', 'extending', 'predominantly', 'mainly', 'mostly', 'type'],
        ...['new', 'known', 'area', 'region', 'focus', 'foci', 'zone', 'field', 'part', 'portion', 'aspect'],
      ],
    },
  ],
};
