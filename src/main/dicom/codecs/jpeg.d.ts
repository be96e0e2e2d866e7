// Types for the vendored JpegImage (jpeg.js), only what codecs.ts uses.
export default class JpegImage {
  width: number;
  height: number;
  /** One entry per colour component. */
  components: unknown[];
  /** false: leave YCbCr as is (DICOM's photometric interpretation says what it is). */
  colorTransform?: boolean;
  /** Throws a string (not an Error) on malformed data. */
  parse(data: Uint8Array): void;
  /** Greyscale samples at full precision (up to 12 bits). */
  getData16(width: number, height: number): Uint16Array;
}
