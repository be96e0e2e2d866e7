// Segmentations of a series ↔ NIfTI-1 (.nii.gz) label volumes, the format research tools
// (ITK-SNAP, 3D Slicer, nnU-Net) exchange. One volume holds every segment as a label value
// 1..n; the voxel-to-world affine comes from the DICOM geometry (LPS) turned into RAS.
import { gzipSync } from 'node:zlib';
import { createMask, type Mask } from '../../shared/labelmap/mask';
import { formatBytes, inputLimits } from '../files/limits';
import { gunzipCapped, inflateHead } from '../files/read-input';

export interface VolumeGeometry {
  /** Column spacing, row spacing, slice spacing (mm). */
  spacing: [number, number, number];
  /** 4×4 voxel (column, row, slice) → RAS mm, row-major; identity scaled by spacing when unknown. */
  affine?: number[];
}

export interface SourceGeometry {
  imagePosition?: number[];
  imageOrientation?: number[];
  pixelSpacing?: number[];
  sliceThickness?: number;
}

const HEADER_SIZE = 348;
/** Bytes past the declared voxels a .nii.gz may hold (padding) before it counts as a bomb. */
const TRAILING_SLACK = 64 * 1024;
const VOX_OFFSET = 352;
const DT_UINT8 = 2;
const DT_UINT16 = 512;

/** The affine of a sorted series from its DICOM headers (PS3.3 C.7.6.2.1.1), in RAS. */
export function geometryOf(slices: readonly SourceGeometry[]): VolumeGeometry {
  const first = slices[0];
  const [rowSpacing, colSpacing] = (first?.pixelSpacing ?? [1, 1]) as [number, number];
  const o = first?.imageOrientation;
  const p0 = first?.imagePosition;
  const pN = slices.at(-1)?.imagePosition;
  let step: number[] = [0, 0, first?.sliceThickness ?? 1];
  if (p0 && pN && slices.length > 1) step = p0.map((v, i) => ((pN[i] as number) - v) / (slices.length - 1));
  const sliceSpacing = Math.hypot(...step) || (first?.sliceThickness ?? 1);
  const spacing: [number, number, number] = [colSpacing, rowSpacing, sliceSpacing];
  if (!o || !p0) return { spacing };
  const lps = [0, 1, 2].map((r) => [
    (o[r] as number) * colSpacing,
    (o[3 + r] as number) * rowSpacing,
    step[r] as number,
    p0[r] as number,
  ]);
  // LPS → RAS: negate the first two rows.
  const ras = lps.map((row, r) => (r < 2 ? row.map((v) => -v) : row));
  return { spacing, affine: [...ras.flat(), 0, 0, 0, 1] };
}

/**
 * Writes segments (each one mask per slice) as one label volume; where segments overlap the
 * later one wins, since a NIfTI label map holds one label per voxel.
 */
export function encodeNifti(segments: readonly Mask[][], geometry: VolumeGeometry): Buffer {
  const slices = segments[0];
  if (!slices || slices.length === 0) throw new Error('nothing to export: no segments');
  const { width, height } = slices[0] as Mask;
  const depth = slices.length;
  for (const s of segments) {
    if (s.length !== depth || s.some((m) => m.width !== width || m.height !== height)) {
      throw new Error('every segment needs one mask per slice, all of the same size');
    }
  }
  const wide = segments.length > 255;
  const bytesPerVoxel = wide ? 2 : 1;
  const buffer = Buffer.alloc(VOX_OFFSET + width * height * depth * bytesPerVoxel);
  buffer.writeInt32LE(HEADER_SIZE, 0);
  const dims = [3, width, height, depth, 1, 1, 1, 1];
  for (const [i, d] of dims.entries()) buffer.writeInt16LE(d, 40 + 2 * i);
  buffer.writeInt16LE(wide ? DT_UINT16 : DT_UINT8, 70);
  buffer.writeInt16LE(bytesPerVoxel * 8, 72);
  const pixdim = [1, ...geometry.spacing, 1, 1, 1, 1];
  for (const [i, d] of pixdim.entries()) buffer.writeFloatLE(d, 76 + 4 * i);
  buffer.writeFloatLE(VOX_OFFSET, 108);
  buffer.writeFloatLE(1, 112); // scl_slope
  buffer.writeFloatLE(segments.length, 124); // cal_max
  buffer.writeUInt8(2 | (2 << 3), 123); // xyzt_units: mm, s
  buffer.write('NextMask segmentation', 148, 'latin1');
  const affine = geometry.affine ?? [
    geometry.spacing[0],
    0,
    0,
    0,
    0,
    geometry.spacing[1],
    0,
    0,
    0,
    0,
    geometry.spacing[2],
    0,
  ];
  buffer.writeInt16LE(0, 252); // qform_code: unknown (the sform carries the geometry)
  buffer.writeInt16LE(geometry.affine ? 1 : 0, 254); // sform_code: scanner
  for (let i = 0; i < 12; i++) buffer.writeFloatLE(affine[i] as number, 280 + 4 * i);
  buffer.write('n+1\0', 344, 'latin1');
  const voxels = width * height;
  segments.forEach((masks, s) => {
    masks.forEach((m, k) => {
      for (let p = 0; p < voxels; p++) {
        if (!m.data[p]) continue;
        const offset = VOX_OFFSET + (k * voxels + p) * bytesPerVoxel;
        if (wide) buffer.writeUInt16LE(s + 1, offset);
        else buffer[offset] = s + 1;
      }
    });
  });
  return gzipSync(buffer);
}

export interface NiftiLabels {
  width: number;
  height: number;
  depth: number;
  geometry: VolumeGeometry;
  /** Label value → one mask per slice, for every non-zero label present. */
  labels: Map<number, Mask[]>;
}

/**
 * Reads a .nii or .nii.gz label volume (any integer or float datatype; non-zero voxels are labels).
 * With `expect`, a volume of another size is refused from its header, before its voxels are read.
 * Gzip is inflated off the main thread with an output cap (a small .nii.gz can expand to gigabytes).
 */
export async function decodeNifti(
  bytes: Uint8Array,
  expect?: { width: number; height: number; depth: number },
): Promise<NiftiLabels> {
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const what = 'NIfTI (.nii.gz)';
  // The header first, alone: a bomb of zeros is refused by its 348 bytes, not after inflating it whole.
  const head = gzipped
    ? await inflateHead(bytes, HEADER_SIZE, what, 'gzip')
    : Buffer.from(bytes.subarray(0, HEADER_SIZE));
  if (head.length < HEADER_SIZE) throw new Error('not a NIfTI-1 file: too short');
  const little = head.readInt32LE(0) === HEADER_SIZE;
  if (!little && head.readInt32BE(0) !== HEADER_SIZE) throw new Error('not a NIfTI-1 file: bad header size');
  const i16h = (o: number) => (little ? head.readInt16LE(o) : head.readInt16BE(o));
  const f32h = (o: number) => (little ? head.readFloatLE(o) : head.readFloatBE(o));
  const rank = i16h(40);
  const [width, height, depth] = [i16h(42), i16h(44), rank >= 3 ? i16h(46) : 1];
  if (rank < 2 || rank > 4 || (rank === 4 && i16h(48) > 1))
    throw new Error(`NIfTI volume of rank ${rank} is not a label map`);
  if (width < 1 || height < 1 || depth < 1) throw new Error(`NIfTI volume is ${width}x${height}x${depth}`);
  if (expect && (width !== expect.width || height !== expect.height || depth !== expect.depth)) {
    throw new Error(
      `NIfTI is ${width}x${height}x${depth}, the series is ${expect.width}x${expect.height}x${expect.depth}`,
    );
  }
  const datatype = i16h(70);
  const sizes: Record<number, number> = { 2: 1, 4: 2, 8: 4, 16: 4, 64: 8, 256: 1, 512: 2 };
  const size = sizes[datatype];
  if (!size) throw new Error(`NIfTI datatype ${datatype} is not supported`);
  const offset = Math.floor(f32h(108));
  const voxels = width * height;
  const declared = offset + voxels * depth * size;
  if (!(offset >= HEADER_SIZE)) throw new Error('NIfTI file is truncated (or its vox_offset is wrong)');
  if (declared > inputLimits().inflatedBytes)
    throw new Error(
      `NIfTI declares ${formatBytes(declared)} of voxels, above the ${formatBytes(inputLimits().inflatedBytes)} limit`,
    );
  // Inflated no further than what the header declares (and a little trailing padding some writers add).
  const raw = gzipped ? await gunzipCapped(bytes, what, declared + TRAILING_SLACK) : Buffer.from(bytes);
  const i16 = (o: number) => (little ? raw.readInt16LE(o) : raw.readInt16BE(o));
  const f32 = (o: number) => (little ? raw.readFloatLE(o) : raw.readFloatBE(o));
  const readers: Record<number, (o: number) => number> = {
    2: (o) => raw.readUInt8(o),
    4: (o) => i16(o),
    8: (o) => (little ? raw.readInt32LE(o) : raw.readInt32BE(o)),
    16: (o) => f32(o),
    64: (o) => (little ? raw.readDoubleLE(o) : raw.readDoubleBE(o)),
    256: (o) => raw.readInt8(o),
    512: (o) => (little ? raw.readUInt16LE(o) : raw.readUInt16BE(o)),
  };
  const read = readers[datatype] as (o: number) => number;
  if (raw.length < declared) {
    throw new Error('NIfTI file is truncated (or its vox_offset is wrong)');
  }
  // Each label holds a whole volume of masks: a noise volume with thousands of labels must not take all memory.
  const maxLabels = Math.max(1, Math.floor(inputLimits().inflatedBytes / (voxels * depth)));
  const labels = new Map<number, Mask[]>();
  for (let k = 0; k < depth; k++) {
    for (let p = 0; p < voxels; p++) {
      const value = Math.round(read(offset + (k * voxels + p) * size));
      if (value === 0) continue;
      let masks = labels.get(value);
      if (!masks) {
        if (labels.size >= maxLabels) {
          throw new Error(
            `NIfTI holds more than ${maxLabels} labels; their masks would take over ${formatBytes(inputLimits().inflatedBytes)}`,
          );
        }
        masks = Array.from({ length: depth }, () => createMask(width, height));
        labels.set(value, masks);
      }
      (masks[k] as Mask).data[p] = 1;
    }
  }
  const spacing: [number, number, number] = [f32(80), f32(84), f32(88)];
  const geometry: VolumeGeometry = { spacing };
  if (i16(254) > 0) geometry.affine = [...Array.from({ length: 12 }, (_, i) => f32(280 + 4 * i)), 0, 0, 0, 1];
  return { width, height, depth, geometry, labels: new Map([...labels].sort((a, b) => a[0] - b[0])) };
}
