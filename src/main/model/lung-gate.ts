// The lung gate: a prompt that places a finding in named lungs and zones ("…, lower left lung") gets an
// answer inside those places only. The places come from the model itself (its answer to "both lungs",
// split into the patient's sides and cut into thirds as the descriptions were derived: data/lungs.ts),
// so the gate is as good as the model's lungs (val Dice ≈ 0.95) and needs no other model. The model
// alone too often answers in the other lung (docs/MODEL.md, "Lung gate").
import { type Side, splitLungs, ZONES, type Zone, zoneOfRow } from '../data/lungs';
import type { Mask, Plane } from '../data/resample';

/** Zones named per lung; a lung left out is not named. Empty: the lungs, no side named. */
export type LungPlaces = Partial<Record<Side, readonly Zone[]>>;

/** How far (pixels on the 256 grid, square neighbourhood) an answer may reach past its places. */
export const GATE_MARGIN = 8;

const FINDING = /\b(infect\w*|opacit(y|ies)|lesions?|consolidations?|pneumonia)\b/i;
const IN_LUNGS = /\b(lungs?|pulmonary|bilateral|unilateral)\b/i;
const WHOLE_LUNG = /\b(all|entire|whole)\b/i;
// Also what radiologists write about the chest beyond the training wordings (lobes, hila, pleura, airways).
const CHEST =
  /\b(chest|thora\w*|pneumonia|covid\S*|infect\w*|opacit\w*|consolidation\w*|zones?|lobes?|lobar|\w*hil(ar|um|a)|pleura\w*|mediastin\w*|costophrenic|bronch\w*|airspace|ground[- ]glass)\b/i;

/** Whether a prompt is about the lungs or the chest at all (a lung, a finding in them), in any words above. */
export function mentionsLungs(text: string): boolean {
  return IN_LUNGS.test(text) || CHEST.test(text);
}

/**
 * Where a prompt places a finding in the lungs, or null when it does not ask for a finding in the lungs
 * (a lung itself, a bone lesion). Per clause (split at commas and "and"), a clause naming one side
 * names that lung, with the zones it names or all three.
 */
export function lungPlaces(text: string): LungPlaces | null {
  if (!FINDING.test(text) || !IN_LUNGS.test(text)) return null;
  const places: Partial<Record<Side, Set<Zone>>> = {};
  for (const clause of text.toLowerCase().split(/,|\band\b/)) {
    const sides = clause.match(/\b(left|right)\b/g);
    if (sides?.length !== 1) continue;
    const side = sides[0] as Side;
    const named = ZONES.filter((z) => new RegExp(`\\b${z}\\b`).test(clause));
    const zones = named.length === 0 || WHOLE_LUNG.test(clause) ? ZONES : named;
    const set = places[side] ?? new Set<Zone>();
    for (const z of zones) set.add(z);
    places[side] = set;
  }
  return Object.fromEntries(
    Object.entries(places).map(([side, set]) => [side, ZONES.filter((z) => set.has(z))]),
  ) as LungPlaces;
}

/**
 * The pixels an answer may cover: the named zones of the named lungs of `lungs` (the model's lung mask),
 * grown by `margin`. Null (no gate) when none of them is found in the mask: better an ungated answer than
 * none because the lung answer missed.
 */
export function gateRegion(lungs: Mask, places: LungPlaces, margin = GATE_MARGIN): Mask | null {
  const split = splitLungs(lungs);
  const named = Object.keys(places).length > 0 ? places : { left: ZONES, right: ZONES };
  const inside = new Uint8Array(lungs.data.length);
  let any = false;
  for (const [side, zones] of Object.entries(named) as [Side, readonly Zone[]][]) {
    const extent = split.extent[side];
    if (!extent) continue;
    const lung = split[side].data;
    for (let i = 0; i < lung.length; i++) {
      if (lung[i] === 1 && zones.includes(zoneOfRow(Math.floor(i / lungs.width), extent))) {
        inside[i] = 1;
        any = true;
      }
    }
  }
  return any ? grow({ width: lungs.width, height: lungs.height, data: inside }, margin) : null;
}

/** The mask grown by `r` pixels in every direction (a (2r+1)² square), rows then columns. */
export function grow(mask: Mask, r: number): Mask {
  const { width, height } = mask;
  const pass = (src: Uint8Array, along: 'x' | 'y'): Uint8Array => {
    const out = new Uint8Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (src[y * width + x] !== 1) continue;
        if (along === 'x') out.fill(1, y * width + Math.max(0, x - r), y * width + Math.min(width, x + r + 1));
        else for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) out[yy * width + x] = 1;
      }
    }
    return out;
  };
  return { width, height, data: pass(pass(mask.data, 'x'), 'y') };
}

/** The map with everything outside the region set to 0. */
export function gated(map: Plane<Float32Array>, region: Mask): Plane<Float32Array> {
  if (map.width !== region.width || map.height !== region.height)
    throw new Error('gated: map and region differ in size');
  return { width: map.width, height: map.height, data: map.data.map((p, i) => (region.data[i] === 1 ? p : 0)) };
}
