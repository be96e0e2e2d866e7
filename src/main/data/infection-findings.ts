// Structured findings derived from a COVID-QU-Ex infection mask and its lung mask: how many infected
// areas, and which zones of which lung they occupy. Wording is done elsewhere (infection-text.ts).

import type { Mask } from '../imaging/resample';
import { type Side, ZONES, type Zone } from '../prompt/grammar';
import { connectedComponents } from './components';
import { type LungSides, sideOfColumn, splitLungs, zoneOfRow } from './lungs';

export interface InfectionFindings {
  /** Number of infected areas (connected components above the minimum size). */
  count: number;
  /** Zones of each lung (patient's sides) that hold infection, in upper → lower order. */
  zones: Record<Side, Zone[]>;
}

/** Specks smaller than this share of the image are annotation noise, not infected areas. */
export const MIN_AREA_FRACTION = 0.001;
/** A component reaches a zone (or a lung) when at least this share of its pixels lie there. */
export const MIN_SHARE = 0.15;

export function deriveInfectionFindings(infection: Mask, lungMask: Mask): InfectionFindings {
  if (infection.width !== lungMask.width || infection.height !== lungMask.height) {
    throw new Error(
      `infection mask is ${infection.width}x${infection.height} but lung mask is ${lungMask.width}x${lungMask.height}`,
    );
  }
  const lungs = splitLungs(lungMask);
  const minArea = MIN_AREA_FRACTION * infection.width * infection.height;
  const areas = connectedComponents(infection).filter((c) => c.area >= minArea);
  const reached: Record<Side, Set<Zone>> = { left: new Set(), right: new Set() };
  for (const area of areas) {
    const tally = tallyZones(area.pixels, infection.width, lungs);
    for (const side of ['left', 'right'] as const) {
      const inSide = ZONES.reduce((sum, zone) => sum + tally[side][zone], 0);
      if (inSide < MIN_SHARE * area.area) continue;
      const best = ZONES.reduce((a, b) => (tally[side][b] > tally[side][a] ? b : a));
      for (const zone of ZONES) {
        // The component's main zone always counts, so a small area still gets a location.
        if (zone === best || tally[side][zone] >= MIN_SHARE * area.area) reached[side].add(zone);
      }
    }
  }
  return {
    count: areas.length,
    zones: {
      left: ZONES.filter((z) => reached.left.has(z)),
      right: ZONES.filter((z) => reached.right.has(z)),
    },
  };
}

/** Pixels of one infected area per lung and zone; pixels outside both lungs go by the midline. */
function tallyZones(pixels: Int32Array, width: number, lungs: LungSides): Record<Side, Record<Zone, number>> {
  const tally = {
    left: { upper: 0, middle: 0, lower: 0 },
    right: { upper: 0, middle: 0, lower: 0 },
  };
  for (const p of pixels) {
    const x = p % width;
    const y = (p - x) / width;
    const side: Side =
      lungs.left.data[p] === 1 ? 'left' : lungs.right.data[p] === 1 ? 'right' : sideOfColumn(x, lungs.midlineX);
    const extent = lungs.extent[side] ?? lungs.extent[side === 'left' ? 'right' : 'left'];
    const zone = extent ? zoneOfRow(y, extent) : zoneOfRow(y, { top: 0, bottom: lungs.left.height - 1 });
    tally[side][zone]++;
  }
  return tally;
}
