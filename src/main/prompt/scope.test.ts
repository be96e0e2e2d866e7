import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../data/csv';
import type { InfectionFindings } from '../data/infection-findings';
import { canonicalInfectionText, variedInfectionText } from '../data/infection-text';
import { LUNG_TARGETS, lungPromptsFor } from '../data/lung-prompts';
import { createRng } from '../data/rng';
import { sharedPath } from '../testing/shared-data';
import { ZONES } from './grammar';
import { readPrompt } from './reading';
import { correctedPrompt, didYouMeanNotice, editDistance, scopeNotices, uncoveredIn, uncoveredNotice } from './scope';
import { PROMPT_WORDS } from './vocabulary';

describe('what the model does not cover', () => {
  it('names the finding or part of the body a prompt asks for outside the model', () => {
    const chest = (text: string) => uncoveredIn(text, readPrompt(text).chest);
    expect(chest('right pneumothorax')).toBe('pneumothorax');
    expect(chest('enlarged heart')).toBe('the heart');
    expect(chest('Cardiomegaly')).toBe('the heart');
    expect(chest('left pleural effusion')).toBe('pleural effusion');
    expect(chest('widened mediastinum')).toBe('the mediastinum');
    expect(chest('brain tumour')).toBe('the brain');
    expect(chest('liver lesion')).toBe('the liver');
    expect(chest('left kidney')).toBe('the kidneys');
    expect(chest('fracture of the left femur')).toBe('fractures');
    expect(chest('mass in the right upper lobe')).toBe('lung masses or cancer');
    expect(chest('rib lesion')).toBe('the ribs and sternum');
    expect(chest('sternal mass')).toBe('the ribs and sternum');
    // A rib's fracture is a fracture first; "intercostal" and "costophrenic" name no rib.
    expect(chest('left rib fracture')).toBe('fractures');
    expect(chest('blunted costophrenic angle')).toBeNull();
  });

  it('reads a tumour as a bone tumour unless the prompt is about the chest', () => {
    expect(uncoveredIn('bone tumour in the femur', false)).toBeNull();
    expect(uncoveredIn('lung tumour', true)).toBe('lung masses or cancer');
    // Words of the limbs that sound like other parts: a femur's head and neck.
    expect(uncoveredIn('osteochondroma of the femoral neck', false)).toBeNull();
    expect(uncoveredIn('lesion in the humeral head', false)).toBeNull();
    // "retrocardiac" places an opacity in the left lower lung, not in the heart.
    expect(uncoveredIn('retrocardiac opacity', true)).toBeNull();
  });

  it('says so in words, with what the model covers', () => {
    expect(uncoveredNotice('pneumothorax')).toBe(
      'the model does not segment pneumothorax: it covers lung infection, the lungs, and bone tumours of the limbs and pelvis',
    );
    expect(didYouMeanNotice('right lung')).toBe('did you mean right lung?');
    expect(scopeNotices(readPrompt('right pneumothorax'))).toEqual([uncoveredNotice('pneumothorax')]);
    expect(scopeNotices(readPrompt('rigth lung'))).toEqual([didYouMeanNotice('right lung')]);
    expect(scopeNotices(readPrompt('right lung'))).toEqual([]);
  });

  it('leaves an out-of-scope prompt uncoded, so no segment is coded as what it is not', () => {
    expect(readPrompt('brain tumour').coding).toBeNull();
    expect(readPrompt('liver lesion')).toMatchObject({ outOfScope: 'the liver', coding: null });
    expect(readPrompt('right pneumothorax').outOfScope).toBe('pneumothorax');
    expect(readPrompt('bone tumour').coding?.type.meaning).toBe('Neoplasm');
  });
});

describe('did you mean …?', () => {
  it('counts an exchange of two letters as one edit', () => {
    expect(editDistance('rigth', 'right')).toBe(1);
    expect(editDistance('lung', 'lungs')).toBe(1);
    expect(editDistance('left', 'right')).toBe(4);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
  });

  it('corrects words the reading does not know to the one known word nearby, keeping their case', () => {
    const corrected = (text: string, known = PROMPT_WORDS) => correctedPrompt(text, readPrompt(text).unread, known);
    expect(corrected('rigth lung')).toBe('right lung');
    expect(corrected('Lfet lung')).toBe('Left lung');
    expect(corrected('RIGTH LUNG')).toBe('RIGHT LUNG');
    expect(corrected('pnuemonia, right lower zone')).toBe('pneumonia, right lower zone');
    // Known words, short words and words far from any known one stay.
    expect(corrected('left lung')).toBeNull();
    expect(corrected('rgt lung')).toBeNull();
    expect(corrected('Lungenunterfeld')).toBeNull();
    // Only the words the reading did not understand: a plural it folds ("areas") is not a typo.
    expect(corrected('two infected areas, right lung')).toBeNull();
    expect(correctedPrompt('rigth lung', [], PROMPT_WORDS)).toBeNull();
    // The word list is the caller's.
    expect(corrected('rigth lung', new Set(['lung']))).toBeNull();
  });

  it('suggests the whole corrected prompt when the correction names something else', () => {
    const rigth = readPrompt('rigth lung');
    expect(rigth.didYouMean).toBe('right lung');
    // What was typed is what the model reads.
    expect(rigth.text).toBe('rigth lung');
    expect(readPrompt('pnuemonia in the right lung').didYouMean).toBe('pneumonia in the right lung');
    expect(readPrompt('osteosarcomma of the femur').didYouMean).toBe('osteosarcoma of the femur');
    // A typo that names the same thing is no question: the answer is the same.
    const sugestive = 'left lung infection, sugestive';
    expect(correctedPrompt(sugestive, readPrompt(sugestive).unread, PROMPT_WORDS)).toBe(
      'left lung infection, suggestive',
    );
    expect(readPrompt(sugestive).didYouMean).toBeNull();
  });
});

/** Every finding pattern of the infection templates: each side with any zones, counts one to three. */
function infectionFindings(): InfectionFindings[] {
  const zoneSets = [[], ...ZONES.map((z) => [z]), ['upper', 'middle'], ['middle', 'lower'], [...ZONES]] as const;
  const all: InfectionFindings[] = [];
  for (const left of zoneSets)
    for (const right of zoneSets)
      for (const count of [1, 2, 3]) {
        if (left.length + right.length === 0) continue;
        all.push({ count, zones: { left: [...left], right: [...right] } });
      }
  return all;
}

describe('prompts the model covers', () => {
  const quiet = (prompt: string) => {
    const { outOfScope, didYouMean } = readPrompt(prompt);
    return { prompt, outOfScope, didYouMean };
  };
  const flagged = (prompts: Iterable<string>) =>
    [...prompts].map(quiet).filter((r) => r.outOfScope !== null || r.didYouMean !== null);

  it('flags none of the training wordings: infection templates, lung prompts, BTXRD descriptions', () => {
    const rng = createRng(7);
    const prompts = new Set<string>(['No pulmonary infection.', 'No infection', 'Normal lungs, no infection.']);
    for (const f of infectionFindings()) {
      prompts.add(canonicalInfectionText(f));
      for (let i = 0; i < 20; i++) prompts.add(variedInfectionText(f, rng));
    }
    for (const target of LUNG_TARGETS) for (const p of lungPromptsFor(target)) prompts.add(p);
    for (const split of ['train', 'val']) {
      const csv = readFileSync(sharedPath('data', 'btxrd', split, 'descriptions.csv'), 'utf8');
      for (const row of parseCsv(csv).slice(1)) prompts.add(row[2] as string);
    }
    expect(prompts.size).toBeGreaterThan(1000);
    expect(flagged(prompts)).toEqual([]);
  });

  it("flags none of the paraphrase benchmark's prompts, worded as radiologists word them", () => {
    const lines = readFileSync(join('bench', 'paraphrase', 'val.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const prompts = lines.map((line) => (JSON.parse(line) as { prompt: string }).prompt);
    expect(prompts.length).toBe(516);
    expect(flagged(prompts)).toEqual([]);
  });
});
