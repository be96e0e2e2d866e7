// Words for infection findings: the canonical QaTa-COV19 (LViT) style sentence used for evaluation,
// and randomised variants for training so that what a radiologist types, not only the template, works.
import { countWord, infectionDescription } from '../prompt/canonical';
import type { Side, Zone } from '../prompt/grammar';
import type { InfectionFindings } from './infection-findings';
import { chance, pick, type Rng, shuffled } from './rng';

function isBilateral(f: InfectionFindings): boolean {
  return f.zones.left.length > 0 && f.zones.right.length > 0;
}

function sidesWithInfection(f: InfectionFindings, order: readonly Side[]): Side[] {
  return order.filter((side) => f.zones[side].length > 0);
}

/**
 * e.g. "Bilateral pulmonary infection, two infected areas, upper left lung and lower right lung."
 * (written by canonical.ts, which reads prompts back into the same form).
 */
export function canonicalInfectionText(f: InfectionFindings): string {
  return infectionDescription({ laterality: null, count: f.count, places: f.zones });
}

const LATERALITY = {
  bilateral: [
    'Bilateral pulmonary infection',
    'Bilateral infection',
    'Bilateral lung infection',
    'Infection of both lungs',
  ],
  unilateral: [
    'Unilateral pulmonary infection',
    'Unilateral infection',
    'Unilateral lung infection',
    'Infection of one lung',
  ],
};

const AREA_NOUNS: readonly [string, string][] = [
  ['infected area', 'infected areas'],
  ['infected region', 'infected regions'],
  ['area of infection', 'areas of infection'],
  ['lesion', 'lesions'],
  ['opacity', 'opacities'],
];

function variedPlace(rng: Rng, side: Side, zones: readonly Zone[]): string {
  if (zones.length === 3) return `${pick(rng, ['all', 'entire', 'whole'])} ${side} lung`;
  const z = zones.join(' ');
  const plural = zones.length > 1 ? 's' : '';
  return pick(rng, [`${z} ${side} lung`, `${side} ${z} zone${plural}`, `${z} zone${plural} of the ${side} lung`]);
}

/**
 * A randomised description of the same findings: synonyms, either side first, parts reordered, and
 * whole parts (laterality, count, or all locations) sometimes left out. A part is never half-dropped,
 * so the text never names fewer lungs than the mask it goes with.
 */
export function variedInfectionText(f: InfectionFindings, rng: Rng): string {
  if (f.count === 0) return pick(rng, ['No pulmonary infection.', 'No infection', 'Normal lungs, no infection.']);
  const laterality = pick(rng, isBilateral(f) ? LATERALITY.bilateral : LATERALITY.unilateral);
  const [one, many] = pick(rng, AREA_NOUNS);
  const number = chance(rng, 0.2) ? String(f.count) : countWord(f.count);
  const areas = `${number} ${f.count === 1 ? one : many}`;
  const order: Side[] = chance(rng, 0.5) ? ['left', 'right'] : ['right', 'left'];
  const places = sidesWithInfection(f, order).map((side) => variedPlace(rng, side, f.zones[side]));
  const location = places.join(pick(rng, [' and ', ', ']));

  let parts = [laterality, areas, location].filter((_, i) => !chance(rng, [0.25, 0.25, 0.2][i] as number));
  if (parts.length === 0) parts = [laterality, location];
  if (chance(rng, 0.3)) parts = shuffled(rng, parts);
  let text = parts.map((p, i) => (i === 0 ? p : lowerFirst(p))).join(', ');
  if (chance(rng, 0.3)) text = lowerFirst(text);
  else text = upperFirst(text);
  return chance(rng, 0.7) ? `${text}.` : text;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
