// A small 8-bit picture of a frame for the series browser: default window, MONOCHROME1
// inverted, nearest-neighbour downsampling (thumbnails need no filtering).
import type { DecodedFrame, Thumbnail } from '../../shared/viewer-types';

export function renderThumbnail(frame: DecodedFrame, maxSide = 96): Thumbnail {
  const scale = Math.min(1, maxSide / Math.max(frame.rows, frame.columns));
  const width = Math.max(1, Math.round(frame.columns * scale));
  const height = Math.max(1, Math.round(frame.rows * scale));
  const data = new Uint8Array(width * height);
  const { slope, intercept } = frame.rescale;
  const low = frame.window.center - frame.window.width / 2;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(frame.rows - 1, Math.floor(y / scale));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(frame.columns - 1, Math.floor(x / scale));
      const i = sy * frame.columns + sx;
      let grey: number;
      if (frame.color) {
        const s = frame.stored;
        grey = 0.299 * (s[i * 3] as number) + 0.587 * (s[i * 3 + 1] as number) + 0.114 * (s[i * 3 + 2] as number);
      } else {
        const value = (frame.stored[i] as number) * slope + intercept;
        grey = ((value - low) / frame.window.width) * 255;
        if (frame.invert) grey = 255 - grey;
      }
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(grey)));
    }
  }
  return { width, height, data };
}
