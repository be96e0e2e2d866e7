// A DICOM SEG (ours or another tool's) over its source series → one mask per segment per
// source image. Frames find their slice by the SOP instance they reference, or else by plane
// position, so SEGs from dcmqi, highdicom and others load too.

import { unpackBits } from '../../shared/labelmap/bits';
import type { Code, SegmentCoding } from '../../shared/labelmap/coding';
import { createMask, type Mask } from '../../shared/labelmap/mask';
import type { Rgb } from '../../shared/labelmap/segments';
import { checkDecodedSize } from '../files/limits';
import { dicomLabToRgb } from './colour';
import { first, items, type NaturalDataset, numbers, readDataset, str } from './dicom-file';
import { type SourceImage, sliceDistance } from './source-images';
import { type AlgorithmType, SEGMENTATION_STORAGE } from './write-seg';

export interface ImportedSegment {
  number: number;
  label: string;
  color: Rgb;
  algorithmType: AlgorithmType;
  algorithmName?: string;
  /** SegmentDescription: for our AI segments, the prompt. */
  description?: string;
  /** The segment's category and type codes, with laterality and region where given. */
  coding?: SegmentCoding;
  /** One mask per source image, in the order of the `sources` given. */
  masks: Mask[];
}

export interface ImportedSeg {
  seriesInstanceUid: string;
  sopInstanceUid: string;
  segments: ImportedSegment[];
}

const DEFAULT_COLOUR: Rgb = [255, 255, 0];

function pixelBytes(ds: NaturalDataset): Uint8Array {
  const data = ds.PixelData;
  const buffer = Array.isArray(data) ? data[0] : data;
  if (!(buffer instanceof ArrayBuffer)) throw new Error('SEG has no pixel data');
  return new Uint8Array(buffer);
}

/** The first code item of a sequence, or undefined when it has none or an incomplete one. */
function codeIn(sequence: unknown): Code | undefined {
  const item = items(sequence)[0];
  const value = str(item?.CodeValue) ?? str(item?.LongCodeValue) ?? str(item?.URNCodeValue);
  const scheme = str(item?.CodingSchemeDesignator);
  const meaning = str(item?.CodeMeaning);
  return value && scheme && meaning ? { value, scheme, meaning } : undefined;
}

function codingIn(segment: NaturalDataset): SegmentCoding | undefined {
  const category = codeIn(segment.SegmentedPropertyCategoryCodeSequence);
  const type = codeIn(segment.SegmentedPropertyTypeCodeSequence);
  if (!category || !type) return undefined;
  const coding: SegmentCoding = { category, type };
  const typeItem = items(segment.SegmentedPropertyTypeCodeSequence)[0];
  const typeModifier = codeIn(typeItem?.SegmentedPropertyTypeModifierCodeSequence);
  if (typeModifier) coding.typeModifier = typeModifier;
  const region = codeIn(segment.AnatomicRegionSequence);
  if (region) {
    coding.region = region;
    const regionModifier = codeIn(items(segment.AnatomicRegionSequence)[0]?.AnatomicRegionModifierSequence);
    if (regionModifier) coding.regionModifier = regionModifier;
  }
  return coding;
}

function frameSlice(frame: NaturalDataset, shared: NaturalDataset, sources: SourceImage[], index: number): number {
  for (const derivation of items(frame.DerivationImageSequence)) {
    for (const src of items(derivation.SourceImageSequence)) {
      const uid = str(src.ReferencedSOPInstanceUID);
      const slice = sources.findIndex((s) => s.sopInstanceUid === uid);
      if (slice >= 0) return slice;
    }
  }
  const position = numbers(items(frame.PlanePositionSequence)[0]?.ImagePositionPatient);
  if (position) {
    const orientation =
      numbers(items(frame.PlaneOrientationSequence)[0]?.ImageOrientationPatient) ??
      numbers(items(shared.PlaneOrientationSequence)[0]?.ImageOrientationPatient);
    const distance = sliceDistance({ imagePosition: position, imageOrientation: orientation });
    const slice = sources.findIndex((s) => Math.abs(sliceDistance(s) - distance) < 0.01);
    if (slice >= 0) return slice;
  }
  if (sources.length === 1) return 0;
  throw new Error(`SEG frame ${index + 1} does not match any image of this series`);
}

/** Reads a SEG and maps its frames onto `sources` (a series sorted as readSourceImages sorts it). */
export async function readSeg(bytes: Uint8Array, sources: SourceImage[]): Promise<ImportedSeg> {
  const ds = await readDataset(bytes);
  if (str(ds.SOPClassUID) !== SEGMENTATION_STORAGE) throw new Error('not a DICOM Segmentation object');
  const type = str(ds.SegmentationType);
  if (type !== 'BINARY' && type !== 'FRACTIONAL') throw new Error(`unsupported SegmentationType ${type}`);
  const base = sources[0];
  if (!base) throw new Error('no source images to load the SEG over');
  const rows = Number(ds.Rows);
  const columns = Number(ds.Columns);
  if (rows !== base.rows || columns !== base.columns) {
    throw new Error(`SEG is ${columns}x${rows}, the images are ${base.columns}x${base.rows}`);
  }
  const referencedSeries = items(ds.ReferencedSeriesSequence).map((s) => str(s.SeriesInstanceUID));
  if (referencedSeries.length > 0 && !referencedSeries.includes(base.seriesInstanceUid)) {
    throw new Error(`SEG refers to series ${referencedSeries.join(', ')}, not to ${base.seriesInstanceUid}`);
  }

  // Each segment gets a mask per image: a short file listing thousands of segments would otherwise
  // allocate gigabytes. The ceiling is the one on inflated data (the NIfTI labels share it).
  const segmentItems = items(ds.SegmentSequence);
  checkDecodedSize(
    segmentItems.length * sources.length * rows * columns,
    `SEG defines ${segmentItems.length} segments; their masks would take`,
  );
  const segments = new Map<number, ImportedSegment>();
  for (const item of segmentItems) {
    const number = Number(item.SegmentNumber);
    const lab = numbers(item.RecommendedDisplayCIELabValue);
    const segment: ImportedSegment = {
      number,
      label: str(item.SegmentLabel) ?? `Segment ${number}`,
      color: lab?.length === 3 ? dicomLabToRgb(lab) : DEFAULT_COLOUR,
      algorithmType: (str(item.SegmentAlgorithmType) as AlgorithmType | undefined) ?? 'MANUAL',
      masks: sources.map(() => createMask(columns, rows)),
    };
    const algorithmName = str(item.SegmentAlgorithmName);
    if (algorithmName) segment.algorithmName = algorithmName;
    const description = str(item.SegmentDescription);
    if (description) segment.description = description;
    const coding = codingIn(item);
    if (coding) segment.coding = coding;
    segments.set(number, segment);
  }

  const pixels = pixelBytes(ds);
  const perFrame = items(ds.PerFrameFunctionalGroupsSequence);
  const shared = items(ds.SharedFunctionalGroupsSequence)[0] ?? {};
  const frameCount = Number(ds.NumberOfFrames ?? 1);
  if (perFrame.length !== frameCount)
    throw new Error(`SEG lists ${perFrame.length} frames, NumberOfFrames is ${frameCount}`);
  const n = rows * columns;
  // FRACTIONAL: one byte per pixel; a pixel belongs to the segment above half the maximum.
  const threshold = Number(ds.MaximumFractionalValue ?? 255) / 2;
  perFrame.forEach((frame, i) => {
    const number = Number(
      first(items(frame.SegmentIdentificationSequence)[0]?.ReferencedSegmentNumber) ??
        first(items(shared.SegmentIdentificationSequence)[0]?.ReferencedSegmentNumber),
    );
    const segment = segments.get(number);
    if (!segment) throw new Error(`SEG frame ${i + 1} refers to segment ${number}, which is not defined`);
    const mask = segment.masks[frameSlice(frame, shared, sources, i)] as Mask;
    const values =
      type === 'BINARY'
        ? unpackBits(pixels, n, i * n)
        : pixels.subarray(i * n, (i + 1) * n).map((v) => (v > threshold ? 1 : 0));
    // Two frames of one segment on one slice (rare, but legal) combine.
    for (let p = 0; p < n; p++) if (values[p]) mask.data[p] = 1;
  });
  return {
    seriesInstanceUid: str(ds.SeriesInstanceUID) ?? '',
    sopInstanceUid: str(ds.SOPInstanceUID) ?? '',
    segments: [...segments.values()],
  };
}
