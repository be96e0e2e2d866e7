import { describe, expect, it } from 'vitest';
import { codingOf, lateralityOf } from '../../shared/labelmap/coding';
import type { InfectionFindings } from '../data/infection-findings';
import { canonicalInfectionText, variedInfectionText } from '../data/infection-text';
import { LUNG_TARGETS, lungPromptsFor } from '../data/lung-prompts';
import { createRng } from '../data/rng';
import {
  filmCell,
  findingCount,
  findingLabel,
  lesionKind,
  lungPlaces,
  mentionsChest,
  saysNoFindings,
  ZONES,
  type Zone,
} from './grammar';
import { readPrompt } from './reading';

describe('filmCell', () => {
  it('reads the ninth of the film a BTXRD description names, in image directions', () => {
    const at = (place: string) =>
      filmCell(
        `One benign osteochondroma lesion in the tibia of the lower limb (frontal view), located in the ${place}.`,
      );
    expect(at('central region')).toEqual({ row: 1, column: 1 });
    expect(at('upper region')).toEqual({ row: 0, column: 1 });
    expect(at('lower region')).toEqual({ row: 2, column: 1 });
    expect(at('left side')).toEqual({ row: 1, column: 0 });
    expect(at('right side')).toEqual({ row: 1, column: 2 });
    expect(at('upper-left region')).toEqual({ row: 0, column: 0 });
    expect(at('upper-right region')).toEqual({ row: 0, column: 2 });
    expect(at('lower-left region')).toEqual({ row: 2, column: 0 });
    expect(at('lower-right region')).toEqual({ row: 2, column: 2 });
  });

  it('takes other spellings and finds nothing where no part of the film is named', () => {
    expect(filmCell('tumour in the Bottom Right part')).toEqual({ row: 2, column: 2 });
    expect(filmCell('lesion in the centre region')).toEqual({ row: 1, column: 1 });
    // "lower limb" is anatomy, not a part of the film.
    expect(filmCell('One malignant osteosarcoma lesion in the femur of the lower limb (lateral view).')).toBeNull();
    expect(filmCell('bone cyst')).toBeNull();
  });
});

describe('lungPlaces', () => {
  it('reads the canonical descriptions: sides and zones per lung', () => {
    expect(lungPlaces('Unilateral pulmonary infection, one infected area, lower left lung.')).toEqual({
      left: ['lower'],
    });
    expect(
      lungPlaces('Bilateral pulmonary infection, two infected areas, upper middle left lung and lower right lung.'),
    ).toEqual({ left: ['upper', 'middle'], right: ['lower'] });
    expect(lungPlaces('Bilateral pulmonary infection, five infected areas, all left lung and all right lung.')).toEqual(
      { left: ['upper', 'middle', 'lower'], right: ['upper', 'middle', 'lower'] },
    );
  });

  it("reads the training wordings: zones after the side, 'of the … lung', a lung without zones", () => {
    expect(lungPlaces('two opacities, right lower zone, lower zones of the left lung')).toEqual({
      right: ['lower'],
      left: ['lower'],
    });
    expect(lungPlaces('consolidation in the right lung')).toEqual({ right: ['upper', 'middle', 'lower'] });
    expect(lungPlaces('Entire right lung, Unilateral infection')).toEqual({ right: ['upper', 'middle', 'lower'] });
  });

  it('names no side when the prompt names none, and nothing when it is not a finding in the lungs', () => {
    expect(lungPlaces('Bilateral infection, three infected areas')).toEqual({});
    expect(lungPlaces('left lung')).toBeNull();
    expect(lungPlaces('both lungs')).toBeNull();
    expect(
      lungPlaces(
        'One benign osteochondroma lesion in the femur of the lower limb (lateral view), located in the left side.',
      ),
    ).toBeNull();
    expect(lungPlaces('two infected areas')).toBeNull();
  });
});

describe('findingLabel', () => {
  it("names what the prompt asks for in the val descriptions' words", () => {
    expect(
      findingLabel(
        'One malignant osteosarcoma lesion in the femur of the lower limb (lateral view), located in the central region.',
      ),
    ).toBe('osteosarcoma');
    expect(
      findingLabel('Two benign synovial osteochondroma lesions in the knee joint of the lower limb (frontal view).'),
    ).toBe('synovial osteochondroma');
    expect(findingLabel('One malignant bone tumor lesion in the hip bone of the lower limb (frontal view).')).toBe(
      'bone tumor',
    );
    expect(
      findingLabel('Bilateral pulmonary infection, two infected areas, upper left lung and lower right lung.'),
    ).toBe('two areas');
    expect(findingLabel('Unilateral pulmonary infection, one infected area, all right lung.')).toBe('one area');
    expect(findingLabel('left lung')).toBe('left lung');
    expect(findingLabel('Segment the right lung.')).toBe('right lung');
    expect(findingLabel('both lungs')).toBe('both lungs');
    expect(findingLabel('No pulmonary infection.')).toBe('other');
  });
});

describe('the training wordings', () => {
  // Every combination of sides and zones the description rules can write (a side with no zones is absent).
  const zoneSets: Zone[][] = [
    [],
    ...ZONES.map((z) => [z]),
    ['upper', 'middle'],
    ['middle', 'lower'],
    ['upper', 'lower'],
    [...ZONES],
  ];
  const findings: InfectionFindings[] = [];
  for (const left of zoneSets)
    for (const right of zoneSets)
      if (left.length + right.length > 0)
        findings.push({ count: 1 + left.length + right.length, zones: { left, right } } as InfectionFindings);

  it('places every varied infection description in exactly the lungs and zones it was written from', () => {
    let placed = 0;
    for (const [i, f] of findings.entries()) {
      const want = Object.fromEntries(
        (['left', 'right'] as const).filter((s) => f.zones[s].length > 0).map((s) => [s, f.zones[s]]),
      );
      expect(lungPlaces(canonicalInfectionText(f))).toEqual(want);
      for (let seed = 0; seed < 40; seed++) {
        const text = variedInfectionText(f, createRng(1000 * i + seed));
        const places = lungPlaces(text);
        // A wording may drop its location (no side named: both lungs), or its finding words or every place
        // word (nothing to place: no gate).
        if (places === null)
          expect(/infect|lesion|opacit/i.test(text) && /lung|zone|lateral/i.test(text), text).toBe(false);
        else if (Object.keys(places).length > 0) {
          expect(places, text).toEqual(want);
          placed++;
        }
        // "3 lesions." alone could be a bone's; anything more is the chest's.
        if (/lung|zone|lateral|infect|opacit/i.test(text)) {
          expect(mentionsChest(text), text).toBe(true);
          // "Whole right lung." alone reads as the lung itself; a zone makes it a place.
          const place = /infect|lesion|opacit|zone|upper|middle|lower/i.test(text);
          expect(readPrompt(text).kind, text).toBe(place ? 'chest finding' : 'lung');
          expect(readPrompt(text).filmCell).toBeNull();
        }
      }
    }
    expect(placed).toBeGreaterThan(findings.length * 20);
  });

  it('reads lung prompts as lungs, never as a finding to place', () => {
    for (const target of LUNG_TARGETS)
      for (const prompt of lungPromptsFor(target)) {
        const reading = readPrompt(prompt);
        expect(reading.kind, prompt).toBe('lung');
        expect(reading.lungPlaces).toBeNull();
        expect(reading.label).toBe(target === 'both' ? 'both lungs' : `${target} lung`);
      }
  });

  it('reads a BTXRD description as a bone lesion: its kind, its count and the ninth of the film', () => {
    const text =
      'Two benign osteochondroma lesions in the femur of the lower limb (frontal view), located in the upper-left region.';
    expect(readPrompt(text)).toEqual({
      text,
      mirrored: text.replace('upper-left', 'upper-right'),
      kind: 'bone lesion',
      chest: false,
      lungPlaces: null,
      filmCell: { row: 0, column: 0 },
      lesionKind: 'osteochondroma',
      count: 2,
      label: 'osteochondroma',
      coding: codingOf('bone-neoplasm'),
      terms: expect.arrayContaining([
        expect.objectContaining({ table: 'lesion kind', term: 'osteochondroma', text: 'osteochondroma' }),
        expect.objectContaining({ table: 'bone', term: 'femur' }),
        expect.objectContaining({ table: 'view', term: 'frontal' }),
      ]),
      unread: [],
      canonical: text,
      outOfScope: null,
      didYouMean: null,
    });
  });
});

describe('how radiologists write', () => {
  it('places lobes, their abbreviations, hila, apices and bases', () => {
    expect(lungPlaces('RLL consolidation')).toEqual({ right: ['middle', 'lower'] });
    expect(lungPlaces('opacity in the right lower lobe')).toEqual({ right: ['middle', 'lower'] });
    expect(lungPlaces('LUL and lingula infiltrates')).toEqual({ left: ['upper', 'middle', 'lower'] });
    expect(lungPlaces('left upper lobe nodule')).toEqual({ left: ['upper', 'middle'] });
    expect(lungPlaces('RUL opacity, LLL opacity')).toEqual({ right: ['upper', 'middle'], left: ['middle', 'lower'] });
    expect(lungPlaces('perihilar opacities')).toEqual({ left: ['middle'], right: ['middle'] });
    expect(lungPlaces('right perihilar consolidation')).toEqual({ right: ['middle'] });
    expect(lungPlaces('bibasal consolidation')).toEqual({ left: ['lower'], right: ['lower'] });
    expect(lungPlaces('left apical opacity')).toEqual({ left: ['upper'] });
    expect(lungPlaces('lower zone opacities')).toEqual({ left: ['lower'], right: ['lower'] });
    expect(lungPlaces('two opacities, right lower zone')).toEqual({ right: ['lower'] });
    expect(lungPlaces('GGOs, right mid zone')).toEqual({ right: ['middle'] });
    expect(lungPlaces('RML and RLL GGO')).toEqual({ right: ['middle', 'lower'] });
    expect(lungPlaces('LUL lingula consolidation')).toEqual({ left: ['upper', 'middle', 'lower'] });
  });

  it('knows chest prompts from bone ones', () => {
    const chest = ['both lungs', 'right lung field', 'chest', 'bilateral opacities', 'RLL', 'lingular opacity'];
    chest.push('left upper lobe mass', 'right hilar enlargement', 'pleural effusion', 'perihilar haze');
    chest.push('ground-glass change', 'mediastinal widening', 'blunted costophrenic angle', 'bronchiectasis');
    chest.push('retrocardiac opacity', 'left hemithorax');
    chest.push('GGO', 'peripheral GGOs bilaterally', 'infiltrate', 'left-sided consolidations');
    expect(chest.filter((t) => !mentionsChest(t))).toEqual([]);
    expect(readPrompt('infiltrates in the left base').lungPlaces).toEqual({ left: ['lower'] });
    const bone = [
      'osteosarcoma of the tibia',
      'lesion',
      'giant cell tumour of the distal femur',
      'lytic lesion, lower limb',
    ];
    expect(bone.filter(mentionsChest)).toEqual([]);
    expect(readPrompt('giant cell tumour of the distal femur').kind).toBe('bone lesion');
  });

  it('hears "no findings"', () => {
    for (const t of ['No findings', 'no acute findings.', 'Normal chest', 'No pulmonary infection.', 'no lesion'])
      expect(saysNoFindings(t), t).toBe(true);
    for (const t of ['left lung', 'nodule, no change', 'right lower zone opacity', 'normal-appearing bone, one lesion'])
      expect(saysNoFindings(t), t).toBe(false);
    expect(readPrompt('No findings').kind).toBe('no findings');
    // A negated finding, and only negated ones: nothing to find.
    for (const t of ['no consolidation', 'No GGO.', 'no evidence of pneumonia', 'without pneumonia', 'no bone lesion'])
      expect(readPrompt(t).kind, t).toBe('no findings');
    const mixed = readPrompt('no consolidation, GGO right base');
    expect(mixed.kind).toBe('chest finding');
    expect(mixed.lungPlaces).toEqual({ right: ['lower'] });
    expect(mixed.coding?.type.meaning).toBe('Radiologic infiltrate of lung');
  });

  it('reads the bones BTXRD does not name as the nearest one it does, and a malleolus as the end of its bone', () => {
    const bone = (text: string) => {
      const { kind, canonical } = readPrompt(text);
      return { kind, canonical };
    };
    const lesionIn = (where: string) => ({
      kind: 'bone lesion',
      canonical: `One benign osteochondroma lesion in the ${where}.`,
    });
    expect(bone('osteochondroma of the scapula')).toEqual(lesionIn('shoulder joint of the upper limb'));
    expect(bone('osteochondroma, left clavicle')).toEqual(lesionIn('shoulder joint of the upper limb'));
    expect(bone('sacral osteochondroma')).toEqual(lesionIn('hip bone of the pelvis'));
    expect(bone('osteochondroma of the patella')).toEqual(lesionIn('knee joint of the lower limb'));
    expect(bone('calcaneus osteochondroma')).toEqual(lesionIn('foot of the lower limb'));
    expect(bone('osteochondroma of the medial malleolus')).toEqual(lesionIn('tibia of the lower limb'));
    expect(bone('osteochondroma of the malleolus')).toEqual(lesionIn('ankle joint of the lower limb'));
    // "lateral" of a malleolus or a condyle is where on the bone: no lateral view is read.
    const malleolus = readPrompt('osteochondroma of the lateral malleolus, located in the lower region');
    expect(malleolus.canonical).toBe(
      'One benign osteochondroma lesion in the fibula of the lower limb (frontal view), located in the lower region.',
    );
    expect(malleolus.terms.map((t) => [t.table, t.term])).toContainEqual(['bone part', 'distal']);
    for (const text of ['lateral malleolus lesion', 'lesion of the lateral femoral condyle', 'lateral tibial plateau'])
      expect(
        readPrompt(text).terms.filter((t) => t.table === 'view'),
        text,
      ).toEqual([]);
    expect(readPrompt('lateral view, osteochondroma of the femur').terms.map((t) => t.table)).toContain('view');
  });

  it('reads basic words of Spanish, French, German, Italian and Portuguese', () => {
    const both = readPrompt('infección pulmonar bilateral');
    expect(both).toMatchObject({ kind: 'chest finding', canonical: 'Bilateral pulmonary infection.', unread: [] });
    expect(both.coding && lateralityOf(both.coding)).toBe('both');
    const canonical = (text: string) => readPrompt(text).canonical;
    expect(canonical('Lungenentzündung beidseits')).toBe('Bilateral pulmonary infection.');
    expect(canonical('infecção em ambos os pulmões')).toBe('Bilateral pulmonary infection.');
    expect(canonical('infection pulmonaire gauche')).toBe('Unilateral pulmonary infection, all left lung.');
    expect(canonical('infezione polmonare destra')).toBe('Unilateral pulmonary infection, all right lung.');
    expect(canonical('neumonía, lóbulo inferior derecho')).toBe(
      'Unilateral pulmonary infection, middle lower right lung.',
    );
    expect(canonical('pulmón izquierdo')).toBe('left lung');
    expect(canonical('linke Lunge')).toBe('left lung');
    expect(canonical('tumor óseo del fémur')).toBe('One benign bone tumor lesion in the femur of the lower limb.');
    expect(canonical('tumeur osseuse du tibia')).toBe('One benign bone tumor lesion in the tibia of the lower limb.');
  });

  it('counts in words and digits', () => {
    expect(findingCount('3 opacities in the left lung')).toBe(3);
    expect(findingCount('two infected regions, lower right lung')).toBe(2);
    expect(findingCount('One malignant osteosarcoma lesion in the femur')).toBe(1);
    expect(findingCount('left lung')).toBeNull();
    expect(lesionKind('One benign simple bone cyst lesion in the femur')).toBe('simple bone cyst');
    expect(lesionKind('consolidation')).toBeNull();
    expect(lesionKind('osteocartilaginous exostosis of the distal femur')).toBe('osteochondroma');
    expect(lesionKind('GCT, proximal tibia')).toBe('giant cell tumor');
  });
});
