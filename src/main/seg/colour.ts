// sRGB ↔ DICOM's RecommendedDisplayCIELabValue (CIE L*a*b*, D65, scaled to 0..65535 as in
// PS3.3 C.10.7.1.1), so segment colours survive a trip through other viewers.
import type { Rgb } from '../../shared/labelmap/segments';

const WHITE = [0.95047, 1, 1.08883]; // D65

function toLinear(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

function fromLinear(l: number): number {
  const s = l <= 0.0031308 ? 12.92 * l : 1.055 * l ** (1 / 2.4) - 0.055;
  return Math.round(Math.min(1, Math.max(0, s)) * 255);
}

function f(t: number): number {
  return t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29;
}

function fInverse(t: number): number {
  return t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29);
}

export function rgbToDicomLab([r, g, b]: Rgb): [number, number, number] {
  const [lr, lg, lb] = [toLinear(r), toLinear(g), toLinear(b)];
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / (WHITE[0] as number);
  const y = 0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / (WHITE[2] as number);
  const L = 116 * f(y) - 16;
  const A = 500 * (f(x) - f(y));
  const B = 200 * (f(y) - f(z));
  const clamp = (v: number) => Math.min(65535, Math.max(0, Math.round(v)));
  return [clamp((L * 65535) / 100), clamp(((A + 128) * 65535) / 255), clamp(((B + 128) * 65535) / 255)];
}

export function dicomLabToRgb([l, a, b]: readonly number[]): Rgb {
  const L = ((l ?? 0) * 100) / 65535;
  const A = ((a ?? 0) * 255) / 65535 - 128;
  const B = ((b ?? 0) * 255) / 65535 - 128;
  const fy = (L + 16) / 116;
  const x = fInverse(fy + A / 500) * (WHITE[0] as number);
  const y = fInverse(fy);
  const z = fInverse(fy - B / 200) * (WHITE[2] as number);
  return [
    fromLinear(3.2404542 * x - 1.5371385 * y - 0.4985314 * z),
    fromLinear(-0.969266 * x + 1.8760108 * y + 0.041556 * z),
    fromLinear(0.0556434 * x - 0.2040259 * y + 1.0572252 * z),
  ];
}
