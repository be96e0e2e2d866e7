import { describe, expect, it } from 'vitest';
import { BONES, LESION_KINDS } from './lexicon/bone';
import { FINDINGS, LOBES } from './lexicon/chest';
import { TRANSLATIONS } from './lexicon/languages';
import { ALL_TABLES, readWords } from './words';

const terms = (text: string, table: string) =>
  readWords(text)
    .matches.filter((m) => m.table === table)
    .map((m) => m.term);

describe('readWords', () => {
  it('reads every written form of every table as its own term', () => {
    for (const table of ALL_TABLES)
      for (const entry of table.entries)
        for (const form of entry.forms) {
          const reading = readWords(form);
          expect(reading.unread, form).toEqual([]);
          expect(
            reading.matches.some((m) => m.table === table.name && m.term === entry.term && m.text === form),
            `${table.name}: ${form}`,
          ).toBe(true);
        }
  });

  it('takes the longest form first, on word boundaries', () => {
    expect(terms('synovial osteochondroma of the knee', 'lesion kind')).toEqual(['synovial osteochondroma']);
    expect(terms('right lower lobe consolidation', 'lobe')).toEqual(['RLL']);
    expect(terms('right lower lobe consolidation', 'side')).toEqual([]);
    expect(terms('osteochondromatosis', 'lesion kind')).toEqual(['osteochondroma']);
    // "rll" inside another word is no lobe.
    expect(terms('trolls', 'lobe')).toEqual([]);
    expect(terms('COVID-19 pneumonia', 'count')).toEqual([]);
  });

  it('folds case, plurals, hyphens and British spellings', () => {
    expect(terms('GGOs', FINDINGS.name)).toEqual(['ground-glass opacity']);
    expect(terms('ground glass opacities', FINDINGS.name)).toEqual(['ground-glass opacity']);
    expect(terms('Ground-Glass Opacification', FINDINGS.name)).toEqual(['ground-glass opacity']);
    expect(terms('giant cell tumour', LESION_KINDS.name)).toEqual(['giant cell tumor']);
    expect(terms('Giant-cell tumours', LESION_KINDS.name)).toEqual(['giant cell tumor']);
    expect(terms('exostoses', LESION_KINDS.name)).toEqual(['osteochondroma']);
    expect(terms('diaphyses', 'bone part')).toEqual(['diaphysis']);
    expect(terms('two exostosis, tibias', BONES.name)).toEqual(['tibia']);
    expect(terms('rll and LUL', LOBES.name)).toEqual(['RLL', 'LUL']);
  });

  it('reads each translation as the form it translates, with or without its accents', () => {
    const forms = new Set(ALL_TABLES.flatMap((t) => t.entries.flatMap((e) => e.forms)));
    for (const [form, translations] of TRANSLATIONS) {
      expect(forms.has(form), `${form} is a form of a table`).toBe(true);
      const want = readWords(form).matches.map((m) => [m.table, m.term]);
      for (const word of translations) {
        const reading = readWords(word);
        expect(reading.unread, word).toEqual([]);
        expect(
          reading.matches.map((m) => [m.table, m.term]),
          word,
        ).toEqual(want);
      }
    }
    expect(terms('infección pulmonar', FINDINGS.name)).toEqual(['infection']);
    expect(terms('infeccion pulmonar', FINDINGS.name)).toEqual(['infection']);
    expect(terms('Lungenentzündung beidseits', 'laterality')).toEqual(['bilateral']);
    expect(terms('pulmón izquierdo', 'side')).toEqual(['left']);
    // Portuguese "os" (the) beside "ambos" is no osteosarcoma.
    expect(terms('ambos os pulmões', LESION_KINDS.name)).toEqual([]);
  });

  it('never runs a form across punctuation', () => {
    expect(terms('right, lower lobe', 'lobe')).toEqual([]);
    expect(terms('bone. tumour', LESION_KINDS.name)).toEqual(['bone tumor']);
  });

  it('keeps the words no table covers, as typed, in order', () => {
    expect(readWords('Bilateral GGOs and a Kerley line, cardiomegaly').unread).toEqual([
      'Kerley',
      'line',
      'cardiomegaly',
    ]);
    // Languages the lexicon has no words of stay unread (lexicon/languages.ts has five).
    expect(readWords('longontsteking beiderzijds').unread).toEqual(['longontsteking', 'beiderzijds']);
    expect(readWords('').unread).toEqual([]);
    expect(readWords('the lesion, in the distal femur').unread).toEqual([]);
  });

  it('says where each run lies in the prompt', () => {
    const text = 'Lytic lesion, proximal tibia';
    for (const m of readWords(text).matches) expect(text.slice(m.start, m.end)).toBe(m.text);
  });
});
