// Flood fill and small-island removal: both walk connected regions with an explicit stack
// (recursion would overflow on a 2000×2000 radiograph).
import { EMPTY_RECT, type Mask, type Rect } from './mask';

/**
 * Sets the 4-connected region that contains `(x, y)` and has that pixel's value to `value`
 * (fill inside an outline with 1, or remove a blob with 0).
 */
export function floodFill(mask: Mask, x: number, y: number, value: 0 | 1): Rect {
  const { width, height, data } = mask;
  if (x < 0 || y < 0 || x >= width || y >= height) return EMPTY_RECT;
  const seed = y * width + x;
  const target = data[seed];
  if (target === value) return EMPTY_RECT;
  const touched = { x0: x, y0: y, x1: x, y1: y };
  const stack = [seed];
  data[seed] = value;
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const px = i % width;
    const py = (i - px) / width;
    touched.x0 = Math.min(touched.x0, px);
    touched.x1 = Math.max(touched.x1, px);
    touched.y0 = Math.min(touched.y0, py);
    touched.y1 = Math.max(touched.y1, py);
    const visit = (j: number) => {
      if (data[j] === target) {
        data[j] = value;
        stack.push(j);
      }
    };
    if (px > 0) visit(i - 1);
    if (px < width - 1) visit(i + 1);
    if (py > 0) visit(i - width);
    if (py < height - 1) visit(i + width);
  }
  return touched;
}

/** Labels the 8-connected foreground components; returns per-pixel labels (0 = background) and sizes. */
export function labelComponents(mask: Mask): { labels: Int32Array; sizes: number[] } {
  const { width, height, data } = mask;
  const labels = new Int32Array(data.length);
  const sizes = [0];
  const stack: number[] = [];
  for (let start = 0; start < data.length; start++) {
    if (data[start] === 0 || labels[start] !== 0) continue;
    const label = sizes.length;
    let size = 0;
    labels[start] = label;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop() as number;
      size++;
      const px = i % width;
      const py = (i - px) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = py + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (data[j] !== 0 && labels[j] === 0) {
            labels[j] = label;
            stack.push(j);
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/** Clears every 8-connected island smaller than `minPixels`; returns how many pixels it cleared. */
export function removeSmallIslands(mask: Mask, minPixels: number): number {
  const { labels, sizes } = labelComponents(mask);
  let cleared = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label !== 0 && (sizes[label] as number) < minPixels) {
      mask.data[i] = 0;
      cleared++;
    }
  }
  return cleared;
}
