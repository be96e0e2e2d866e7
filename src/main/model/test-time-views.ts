// Test-time views: the model input seen slightly shifted, scaled or brightened. Each view is tokenized
// afresh (a shift of half a patch changes every image token), decoded under the expected rule, and its
// probability map mapped back to the input's frame; segment() averages the maps. The views are the
// training augmentation's own kinds (augment.ts), so the model has seen such inputs.
import { type Affine, warpImage } from '../data/augment';
import type { Plane } from '../data/resample';

export interface View {
  /** Applied to the input as in training (bilinear, zero outside). No rotation: mapBack inverts shift and scale. */
  affine: Omit<Affine, 'angleRad'>;
  /** Intensity exponent (1 leaves the image as it is). */
  gamma: number;
}

export const IDENTITY_VIEW: View = { affine: { scale: 1, shiftX: 0, shiftY: 0 }, gamma: 1 };

/**
 * segment()'s default views for the expected rule, the identity first (its tokens are the ones reported):
 * the image darker and lighter (gamma 1.25 and 0.8, the ends of training's gamma range). Chosen on two val
 * subsets against half-patch shifts, ±6% scales and mixes (docs/MODEL.md, "Test-time views"): as good as
 * any three, and no film edge moves.
 */
export const TEST_TIME_VIEWS: readonly View[] = [
  IDENTITY_VIEW,
  { affine: IDENTITY_VIEW.affine, gamma: 0.8 },
  { affine: IDENTITY_VIEW.affine, gamma: 1.25 },
];

/** Whether the view leaves the geometry as it is (no warp either way). */
function still({ scale, shiftX, shiftY }: View['affine']): boolean {
  return scale === 1 && shiftX === 0 && shiftY === 0;
}

/** The model input as the view sees it. */
export function viewImage(image: Plane<Float32Array>, view: View): Plane<Float32Array> {
  const { affine, gamma } = view;
  const moved = still(affine) ? image : warpImage(image, { ...affine, angleRad: 0 });
  if (gamma === 1) return moved;
  const data = new Float32Array(moved.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (moved.data[i] as number) ** gamma;
  return { width: moved.width, height: moved.height, data };
}

/** A map computed on the view's image, brought back to the input's frame (0 where the view saw nothing). */
export function mapBack(map: Plane<Float32Array>, view: View): Plane<Float32Array> {
  if (still(view.affine)) return map;
  const { scale, shiftX, shiftY } = view.affine;
  // The view maps input point q to c + shift + scale·(q − c); its inverse is c − shift/scale + (p − c)/scale.
  return warpImage(map, { angleRad: 0, scale: 1 / scale, shiftX: -shiftX / scale, shiftY: -shiftY / scale });
}

/** The pixelwise mean of equally sized maps. */
export function meanMap(maps: readonly Plane<Float32Array>[]): Plane<Float32Array> {
  const first = maps[0];
  if (!first) throw new Error('meanMap needs at least one map');
  const data = new Float32Array(first.data.length);
  for (const m of maps) {
    if (m.width !== first.width || m.height !== first.height) throw new Error('meanMap: maps differ in size');
    for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) + (m.data[i] as number) / maps.length;
  }
  return { width: first.width, height: first.height, data };
}
