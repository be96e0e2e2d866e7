import { describe, expect, it } from 'vitest';
import { describeCoding } from '../../shared/labelmap/coding';
import { readPrompt } from './reading';

const coding = (prompt: string) => readPrompt(prompt).coding;

const read = (prompt: string) => {
  const c = coding(prompt);
  return c && `${c.category.meaning} / ${describeCoding(c)}${c.region ? ` in ${c.region.meaning}` : ''}`;
};

describe("a prompt's coding", () => {
  it('codes a lung as an anatomical structure with the side the prompt names', () => {
    expect(read('left lung')).toBe('Anatomical Structure / Lung · left');
    expect(read('Right lung')).toBe('Anatomical Structure / Lung · right');
    expect(read('both lungs')).toBe('Anatomical Structure / Lung · right and left');
    expect(read('lung')).toBe('Anatomical Structure / Lung');
    expect(coding('left lung')?.type).toEqual({ value: '39607008', scheme: 'SCT', meaning: 'Lung' });
  });

  it('codes an infection or opacity as an abnormal structure in the lungs it names', () => {
    expect(read('Unilateral pulmonary infection, one infected area, lower left lung.')).toBe(
      'Morphologically Abnormal Structure / Radiologic infiltrate of lung · left in Lung',
    );
    expect(read('Bilateral pulmonary infection, two infected areas, lower left lung and lower right lung')).toBe(
      'Morphologically Abnormal Structure / Radiologic infiltrate of lung · right and left in Lung',
    );
    expect(read('Bilateral infection, three infected areas')).toBe(
      'Morphologically Abnormal Structure / Radiologic infiltrate of lung · right and left in Lung',
    );
    expect(read('two opacities, right lower zone')).toBe(
      'Morphologically Abnormal Structure / Radiologic infiltrate of lung · right in Lung',
    );
    expect(read('consolidation in the RLL')).toBe(
      'Morphologically Abnormal Structure / Lung consolidation · right in Lung',
    );
    expect(read('nodule in the left upper lobe')).toBe('Morphologically Abnormal Structure / Nodule · left in Lung');
  });

  it('codes the infection words (ground glass, airspace, pneumonia, COVID-19) as the infection finding', () => {
    const infiltrate = 'Morphologically Abnormal Structure / Radiologic infiltrate of lung';
    expect(read('bilateral GGOs')).toBe(`${infiltrate} · right and left in Lung`);
    expect(read('ground-glass opacity')).toBe(`${infiltrate} in Lung`);
    expect(read('Ground glass, left lower zone')).toBe(`${infiltrate} · left in Lung`);
    expect(read('patchy airspace disease, right base')).toBe(`${infiltrate} · right in Lung`);
    expect(read('COVID-19 pneumonia')).toBe(`${infiltrate} in Lung`);
    expect(read('COVID-19')).toBe(`${infiltrate} in Lung`);
    // The most specific finding named wins, wherever it stands.
    expect(read('GGOs with consolidation in the LLL')).toBe(
      'Morphologically Abnormal Structure / Lung consolidation · left in Lung',
    );
  });

  it('codes a bone lesion named without its kind as a bone neoplasm; a bone alone is not coded', () => {
    const neoplasm = 'Morphologically Abnormal Structure / Neoplasm in Bone';
    expect(read('lytic lesion proximal tibia')).toBe(neoplasm);
    expect(read('bone tumour of the femur')).toBe(neoplasm);
    expect(read('sclerotic, distal femur')).toBe(neoplasm);
    expect(read('aggressive mass in the humerus')).toBe(neoplasm);
    expect(read('exostosis of the distal femur')).toBe(neoplasm);
    expect(coding('distal femur')).toBeNull();
    expect(coding('expansile, proximal humerus')).toBeNull();
  });

  it('codes a bone tumour as a neoplasm of bone', () => {
    const bone = coding(
      'One benign osteochondroma lesion in the femur of the lower limb (lateral view), located in the left side.',
    );
    expect(bone).toMatchObject({ type: { value: '108369006', meaning: 'Neoplasm' }, region: { meaning: 'Bone' } });
    // The film's "left side" is an image direction, not the patient's: no laterality.
    expect(bone?.regionModifier).toBeUndefined();
    expect(read('giant cell tumour of the knee')).toBe('Morphologically Abnormal Structure / Neoplasm in Bone');
  });

  it('codes nothing where the prompt names nothing codable', () => {
    expect(coding('no findings')).toBeNull();
    expect(coding('liver')).toBeNull();
    expect(coding('right lower lobe')).toBeNull();
  });
});
