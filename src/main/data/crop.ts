// Part of a plane: the zoomed look's box of the film (model/zoom-pass.ts) and the training draws of it.

/** A rectangle of a plane's pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The box's pixels of a row-major plane (any sample type), as a new plane of the same kind. */
export function cropBox<T extends { width: number; height: number; data: Uint8Array | Uint16Array | Float32Array }>(
  plane: T,
  box: Box,
): T {
  const Ctor = plane.data.constructor as new (n: number) => T['data'];
  const data = new Ctor(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (box.y + y) * plane.width + box.x;
    data.set(plane.data.subarray(from, from + box.width), y * box.width);
  }
  return { ...plane, width: box.width, height: box.height, data };
}
