// The lung gate: a prompt that places a finding in named lungs and zones ("…, lower left lung") gets an
// answer inside those places only. The places come from the model itself (its answer to "both lungs",
// split into the patient's sides and cut into thirds as the descriptions were derived: data/lungs.ts),
// so the gate is as good as the model's lungs (val Dice ≈ 0.95) and needs no other model. The model
// alone too often answers in the other lung (docs/EXPERIMENTS.md). Which places a prompt names is the
// prompt grammar's reading (prompt/grammar.ts lungPlaces).
import { splitLungs, zoneOfRow } from '../../data/lungs';
import type { Mask, Plane } from '../../imaging/resample';
import { type LungPlaces, type Side, ZONES, type Zone } from '../../prompt/grammar';

/** How far (pixels on the 256 grid, square neighbourhood) an answer may reach past its places. */
export const GATE_MARGIN = 8;

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
