// The token grid shared by the image and mask tokenizers: a 256x256 picture cut into a 16x16 grid
// of 16x16-pixel patches, positions in row-major order.
export const PATCH = 16;
export const GRID = 16;
export const GRID_PIXELS = PATCH * GRID;
export const POSITIONS = GRID * GRID;

export function assertGridSized(width: number, height: number, what: string): void {
  if (width !== GRID_PIXELS || height !== GRID_PIXELS) {
    throw new Error(`${what} must be ${GRID_PIXELS}x${GRID_PIXELS}, got ${width}x${height}`);
  }
}
