// Ceilings on what a file may make the app allocate. Sizes a file declares (frame counts, image
// sizes, compressed streams) are checked against these before anything is allocated, so one
// crafted file cannot exhaust memory or stall the app. Each can be raised by an environment
// variable for unusual studies.

export interface InputLimits {
  /** Largest file read whole (NEXTMASK_MAX_FILE_MB). */
  fileBytes: number;
  /** Largest output of inflating a deflated DICOM or gunzipping a .nii.gz (NEXTMASK_MAX_INFLATED_MB). */
  inflatedBytes: number;
  /** Largest declared decoded size of a compressed image, all frames (NEXTMASK_MAX_DECODED_MB). */
  decodedBytes: number;
  /** Most frames in one file (NEXTMASK_MAX_FRAMES). */
  frames: number;
}

const MiB = 2 ** 20;

function fromEnv(name: string, fallback: number, unit: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return Math.floor(value * unit);
}

export function inputLimits(): InputLimits {
  return {
    fileBytes: fromEnv('NEXTMASK_MAX_FILE_MB', 2048 * MiB, MiB),
    inflatedBytes: fromEnv('NEXTMASK_MAX_INFLATED_MB', 512 * MiB, MiB),
    decodedBytes: fromEnv('NEXTMASK_MAX_DECODED_MB', 8192 * MiB, MiB),
    frames: fromEnv('NEXTMASK_MAX_FRAMES', 20_000, 1),
  };
}

/** Refuses `bytes` of decoded data above the inflated-data ceiling; `what` names them ("… would take"). */
export function checkDecodedSize(bytes: number, what: string): void {
  const limit = inputLimits().inflatedBytes;
  if (bytes > limit) {
    throw new Error(`${what} ${formatBytes(bytes)}, above the ${formatBytes(limit)} limit (NEXTMASK_MAX_INFLATED_MB)`);
  }
}

/** "1.5 GiB", "12 MiB": sizes in error messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(0)} MiB`;
  return `${bytes} bytes`;
}
