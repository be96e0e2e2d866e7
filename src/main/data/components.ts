// Connected components of a binary mask (8-connectivity), used to count infected areas and find the lungs.
import type { Mask } from './resample';

export interface Component {
  /** Pixel indices (row-major) of this component. */
  pixels: Int32Array;
  area: number;
  centroidX: number;
  centroidY: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** Components sorted by area, largest first. */
export function connectedComponents(mask: Mask): Component[] {
  const { width, height, data } = mask;
  const seen = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const components: Component[] = [];
  for (let start = 0; start < data.length; start++) {
    if (data[start] === 0 || seen[start] === 1) continue;
    seen[start] = 1;
    let top = 0;
    stack[top++] = start;
    const pixels: number[] = [];
    while (top > 0) {
      const p = stack[--top] as number;
      pixels.push(p);
      const px = p % width;
      const py = (p - px) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = py + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (data[q] !== 0 && seen[q] === 0) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    components.push(describe(Int32Array.from(pixels), width));
  }
  return components.sort((a, b) => b.area - a.area);
}

function describe(pixels: Int32Array, width: number): Component {
  let sx = 0;
  let sy = 0;
  let minX = Number.POSITIVE_INFINITY;
  let maxX = -1;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = -1;
  for (const p of pixels) {
    const x = p % width;
    const y = (p - x) / width;
    sx += x;
    sy += y;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const area = pixels.length;
  return { pixels, area, centroidX: sx / area, centroidY: sy / area, minX, maxX, minY, maxY };
}
