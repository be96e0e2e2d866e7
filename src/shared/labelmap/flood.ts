// Flood fill and small-island removal: both walk connected regions with an explicit stack in
// a typed array (recursion would overflow on a 2000×2000 radiograph; a JS array is slower).
// Every pixel is marked before it is pushed, so the stack never holds more than the frame.
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
  let x0 = x;
  let x1 = x;
  let y0 = y;
  let y1 = y;
  const stack = new Int32Array(data.length);
  let top = 0;
  data[seed] = value;
  stack[top++] = seed;
  while (top > 0) {
    const i = stack[--top] as number;
    const px = i % width;
    const py = (i - px) / width;
    if (px < x0) x0 = px;
    if (px > x1) x1 = px;
    if (py < y0) y0 = py;
    if (py > y1) y1 = py;
    if (px > 0 && data[i - 1] === target) {
      data[i - 1] = value;
      stack[top++] = i - 1;
    }
    if (px < width - 1 && data[i + 1] === target) {
      data[i + 1] = value;
      stack[top++] = i + 1;
    }
    if (py > 0 && data[i - width] === target) {
      data[i - width] = value;
      stack[top++] = i - width;
    }
    if (py < height - 1 && data[i + width] === target) {
      data[i + width] = value;
      stack[top++] = i + width;
    }
  }
  return { x0, y0, x1, y1 };
}

/** Labels the 8-connected foreground components; returns per-pixel labels (0 = background) and sizes. */
export function labelComponents(mask: Mask): { labels: Int32Array; sizes: number[] } {
  const { width, height, data } = mask;
  const labels = new Int32Array(data.length);
  const sizes = [0];
  const stack = new Int32Array(data.length);
  for (let start = 0; start < data.length; start++) {
    if (data[start] === 0 || labels[start] !== 0) continue;
    const label = sizes.length;
    let size = 0;
    let top = 0;
    labels[start] = label;
    stack[top++] = start;
    while (top > 0) {
      const i = stack[--top] as number;
      size++;
      const px = i % width;
      const py = (i - px) / width;
      const dyFrom = py > 0 ? -1 : 0;
      const dyTo = py < height - 1 ? 1 : 0;
      const dxFrom = px > 0 ? -1 : 0;
      const dxTo = px < width - 1 ? 1 : 0;
      for (let dy = dyFrom; dy <= dyTo; dy++) {
        for (let dx = dxFrom; dx <= dxTo; dx++) {
          const j = i + dy * width + dx;
          if (data[j] !== 0 && labels[j] === 0) {
            labels[j] = label;
            stack[top++] = j;
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
