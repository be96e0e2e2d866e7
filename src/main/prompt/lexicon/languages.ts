// A few basic words of Spanish, French, German, Italian and Portuguese, as data: each the English form of
// a table (common.ts, chest.ts, bone.ts) it reads as, so "infección pulmonar bilateral" reads as
// "bilateral pulmonary infection". Written without accents (words.ts folds them). Only words that name
// nothing else in English: French "os" (bone) and Portuguese "os" (the) and "no" (in the) are left out,
// as they are an osteosarcoma and a negation ("ambos os pulmões" is read whole). Not in the typo list (vocabulary.ts): an English typo is
// never corrected into another language.

/** English form → the same word in the other languages (Spanish, French, German, Italian, Portuguese). */
export const TRANSLATIONS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    // Findings and places.
    infection: ['infeccion', 'infektion', 'infezione', 'infeccao'],
    pneumonia: ['neumonia', 'pneumonie', 'lungenentzundung', 'polmonite'],
    lung: ['pulmon', 'poumon', 'lunge', 'lungen', 'polmone', 'polmoni', 'pulmao', 'pulmoes', 'os pulmoes'],
    pulmonary: ['pulmonar', 'pulmonaire', 'polmonare', 'pulmonal'],
    left: [
      'izquierdo',
      'izquierda',
      'gauche',
      'links',
      'linke',
      'linker',
      'linken',
      'sinistro',
      'sinistra',
      'esquerdo',
      'esquerda',
    ],
    right: [
      'derecho',
      'derecha',
      'droit',
      'droite',
      'rechts',
      'rechte',
      'rechter',
      'rechten',
      'destro',
      'destra',
      'direito',
      'direita',
    ],
    bilateral: ['bilaterale', 'beidseitig', 'beidseits'],
    both: ['ambos', 'ambas', 'les deux', 'beide', 'beiden', 'entrambi', 'entrambe', 'ambos os', 'ambas as'],
    upper: ['superieur', 'superieure', 'obere', 'oberer', 'oberen', 'superiore'],
    lower: ['inferieur', 'inferieure', 'untere', 'unterer', 'unteren', 'inferiore'],
    zone: ['zona', 'zonen'],
    lobe: ['lobulo', 'lobo', 'lappen'],
    // Bone tumours ("tumor" is Spanish, German and Portuguese too).
    tumor: ['tumeur', 'tumore'],
    'bone tumor': ['knochentumor'],
    bone: ['hueso', 'knochen', 'osso'],
    osseous: ['oseo', 'osea', 'osseux', 'osseuse', 'osseo', 'ossea'],
    // The words between them.
    the: ['el', 'la', 'los', 'las', 'le', 'les', 'der', 'die', 'das', 'il', 'lo', 'gli', 'o'],
    of: ['de', 'del', 'du', 'des', 'della', 'dei', 'delle', 'do', 'da', 'dos'],
    in: ['en', 'dans', 'im', 'nel', 'nella', 'em', 'na'],
    with: ['con', 'avec', 'mit', 'com'],
    and: ['y', 'et', 'und', 'e'],
  }),
);
