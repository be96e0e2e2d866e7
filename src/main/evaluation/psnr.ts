// Peak signal-to-noise ratio of a reconstruction, for images scaled to [0, 1] (peak 1).

export function psnr(original: ArrayLike<number>, reconstruction: ArrayLike<number>): number {
  if (original.length !== reconstruction.length || original.length === 0) {
    throw new Error(
      `psnr needs two images of the same non-zero size, got ${original.length} and ${reconstruction.length}`,
    );
  }
  let sse = 0;
  for (let i = 0; i < original.length; i++) sse += ((original[i] as number) - (reconstruction[i] as number)) ** 2;
  const mse = sse / original.length;
  return mse === 0 ? Number.POSITIVE_INFINITY : -10 * Math.log10(mse);
}
