// Segments on a source series → a DICOM Segmentation object (BINARY, PS3.3 A.51): one frame per
// non-empty (segment, slice), each referencing its source SOP instance, in the source's frame of
// reference. The app's export and the command line both call writeSeg.
import pkg from '../../../package.json';
import { packBits } from '../../shared/labelmap/bits';
import { CODES, type Code, type SegmentCoding } from '../../shared/labelmap/coding';
import type { Mask } from '../../shared/labelmap/mask';
import { describePointing } from '../../shared/labelmap/pointing';
import type { Rgb, Segment } from '../../shared/labelmap/segments';
import { rgbToDicomLab } from './colour';
import { type DeidentifyOptions, deidentify } from './deidentify';
import { type NaturalDataset, writeDataset } from './dicom-file';
import type { SourceImage } from './source-images';
import { newUid } from './uid';

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

export type AlgorithmType = 'MANUAL' | 'SEMIAUTOMATIC' | 'AUTOMATIC';

export interface SegSegment {
  label: string;
  color: Rgb;
  algorithmType: AlgorithmType;
  /** Required unless MANUAL: the model's name and version. */
  algorithm?: { name: string; version: string };
  /** One mask per source image, in the order of `sources`. */
  masks: Mask[];
  /** Free text kept as SegmentDescription (the prompt, for AI segments); 64 characters at most. */
  description?: string;
  /** Category, type and where known laterality and region; without one the segment is coded "Tissue". */
  coding?: SegmentCoding;
}

export interface WriteSegOptions {
  sources: SourceImage[];
  segments: SegSegment[];
  seriesDescription?: string;
  /** Off by default; when set, the PS3.15 basic profile is applied. */
  deidentify?: DeidentifyOptions;
  now?: Date;
}

const code = (value: string, scheme: string, meaning: string) => ({
  CodeValue: value,
  CodingSchemeDesignator: scheme,
  CodeMeaning: meaning,
});

const dicomCode = (c: Code) => code(c.value, c.scheme, c.meaning);
// Segments without a coding get the generic SNOMED CT "Tissue" (CID 7150 / 7151).
const NOT_CODED: SegmentCoding = { category: CODES.tissue, type: CODES.tissue };
const ARTIFICIAL_INTELLIGENCE = code('123110', 'DCM', 'Artificial Intelligence');

/**
 * An AI segment's SegmentDescription: what was pointed at, then the prompt ("box + 1 click: femur lesion");
 * the pointing first, since a long prompt is cut at 64 characters.
 */
function aiDescription(segment: Segment): string {
  return [segment.pointing && describePointing(segment.pointing), segment.prompt].filter(Boolean).join(': ');
}

/**
 * How a stored segment is described in a SEG: AI segments a clinician edited, or pointed the model at
 * (a box, clicks: user assistance), are SEMIAUTOMATIC; the description says what was pointed at.
 */
export function segSegmentFrom(segment: Segment, options: { edited?: boolean; version?: string } = {}): SegSegment {
  const coding = segment.coding ? { coding: segment.coding } : {};
  if (segment.source === 'manual') {
    return { label: segment.name, color: segment.color, algorithmType: 'MANUAL', masks: segment.masks, ...coding };
  }
  const description = aiDescription(segment);
  return {
    label: segment.name,
    color: segment.color,
    ...coding,
    algorithmType: options.edited || segment.pointing ? 'SEMIAUTOMATIC' : 'AUTOMATIC',
    algorithm: { name: segment.algorithm ?? 'NextMask', version: options.version ?? pkg.version },
    masks: segment.masks,
    ...(description ? { description } : {}),
  };
}

function dicomDate(d: Date): string {
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}

function dicomTime(d: Date): string {
  return d.toISOString().slice(11, 19).replaceAll(':', '');
}

function checkInput({ sources, segments }: WriteSegOptions): void {
  if (sources.length === 0) throw new Error('a SEG needs at least one source image');
  if (segments.length === 0) throw new Error('nothing to export: no segments');
  const { rows, columns } = sources[0] as SourceImage;
  for (const s of segments) {
    if (s.masks.length !== sources.length) {
      throw new Error(`segment "${s.label}" has ${s.masks.length} frames, the series has ${sources.length}`);
    }
    for (const m of s.masks) {
      if (m.width !== columns || m.height !== rows) {
        throw new Error(`segment "${s.label}" is ${m.width}x${m.height}, the images are ${columns}x${rows}`);
      }
    }
    if (s.algorithmType !== 'MANUAL' && !s.algorithm) throw new Error(`segment "${s.label}" needs its algorithm`);
  }
}

/** The Segment Description macro's codes (PS3.3 C.8.20.2): laterality modifies the type or the region. */
function codedItem(coding: SegmentCoding): NaturalDataset {
  const type: NaturalDataset = dicomCode(coding.type);
  if (coding.typeModifier) type.SegmentedPropertyTypeModifierCodeSequence = [dicomCode(coding.typeModifier)];
  const item: NaturalDataset = {
    SegmentedPropertyCategoryCodeSequence: [dicomCode(coding.category)],
    SegmentedPropertyTypeCodeSequence: [type],
  };
  if (coding.region) {
    const region: NaturalDataset = dicomCode(coding.region);
    if (coding.regionModifier) region.AnatomicRegionModifierSequence = [dicomCode(coding.regionModifier)];
    item.AnatomicRegionSequence = [region];
  }
  return item;
}

function segmentItem(s: SegSegment, number: number): NaturalDataset {
  const item: NaturalDataset = {
    SegmentNumber: number,
    SegmentLabel: s.label.slice(0, 64),
    ...codedItem(s.coding ?? NOT_CODED),
    SegmentAlgorithmType: s.algorithmType,
    RecommendedDisplayCIELabValue: rgbToDicomLab(s.color),
  };
  if (s.description) item.SegmentDescription = s.description.slice(0, 64);
  if (s.algorithm) {
    item.SegmentAlgorithmName = s.algorithm.name.slice(0, 64);
    item.SegmentationAlgorithmIdentificationSequence = [
      {
        AlgorithmFamilyCodeSequence: [ARTIFICIAL_INTELLIGENCE],
        AlgorithmName: s.algorithm.name.slice(0, 64),
        AlgorithmVersion: s.algorithm.version.slice(0, 64),
      },
    ];
  }
  return item;
}

interface Frame {
  /** 1-based segment number. */
  segment: number;
  /** 0-based index into the sources. */
  slice: number;
}

/** Every non-empty (segment, slice); a SEG needs at least one frame, so an all-empty export keeps slice 0. */
function segFrames(segments: readonly SegSegment[]): Frame[] {
  const frames: Frame[] = [];
  segments.forEach((s, i) => {
    s.masks.forEach((m, slice) => {
      if (m.data.includes(1)) frames.push({ segment: i + 1, slice });
    });
  });
  if (frames.length === 0) frames.push({ segment: 1, slice: 0 });
  return frames;
}

/** The frames' bits, packed back to back with no padding between them (PS3.5 8.1.1). */
function pixelData(frames: readonly Frame[], segments: readonly SegSegment[], pixelsPerFrame: number): Uint8Array {
  const bits = new Uint8Array(Math.ceil((frames.length * pixelsPerFrame) / 8));
  const all = new Uint8Array(frames.length * pixelsPerFrame);
  frames.forEach((f, i) => {
    all.set(((segments[f.segment - 1] as SegSegment).masks[f.slice] as Mask).data, i * pixelsPerFrame);
  });
  bits.set(packBits(all));
  return bits;
}

/** Per-frame functional groups: the source image it derives from, its segment and, with geometry, its position. */
function perFrameGroup(f: Frame, sources: readonly SourceImage[], hasGeometry: boolean): NaturalDataset {
  const source = sources[f.slice] as SourceImage;
  const item: NaturalDataset = {
    DerivationImageSequence: [
      {
        SourceImageSequence: [
          {
            ReferencedSOPClassUID: source.sopClassUid,
            ReferencedSOPInstanceUID: source.sopInstanceUid,
            PurposeOfReferenceCodeSequence: [code('121322', 'DCM', 'Source image for image processing operation')],
          },
        ],
        DerivationCodeSequence: [code('113076', 'DCM', 'Segmentation')],
      },
    ],
    FrameContentSequence: [{ DimensionIndexValues: hasGeometry ? [f.segment, f.slice + 1] : [f.segment] }],
    SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
  };
  if (hasGeometry) item.PlanePositionSequence = [{ ImagePositionPatient: source.imagePosition }];
  return item;
}

/** Functional groups every frame shares: the source's orientation and pixel spacing, where known. */
function sharedGroup(first: SourceImage): NaturalDataset {
  const shared: NaturalDataset = {};
  if (first.imageOrientation) shared.PlaneOrientationSequence = [{ ImageOrientationPatient: first.imageOrientation }];
  // Some radiographs carry PixelSpacing 0\0 (unknown); a zero spacing is invalid, so leave it out.
  if (first.pixelSpacing?.every((v) => v > 0)) {
    shared.PixelMeasuresSequence = [{ PixelSpacing: first.pixelSpacing, SliceThickness: first.sliceThickness ?? 1 }];
  }
  return shared;
}

/** The Dimension Index Sequence: frames are indexed by segment, then (with geometry) by position. */
function dimensionIndex(uid: string, hasGeometry: boolean): NaturalDataset[] {
  return [
    {
      DimensionOrganizationUID: uid,
      DimensionIndexPointer: 0x0062000b, // ReferencedSegmentNumber
      FunctionalGroupPointer: 0x0062000a, // SegmentIdentificationSequence
      DimensionDescriptionLabel: 'ReferencedSegmentNumber',
    },
    ...(hasGeometry
      ? [
          {
            DimensionOrganizationUID: uid,
            DimensionIndexPointer: 0x00200032, // ImagePositionPatient
            FunctionalGroupPointer: 0x00209113, // PlanePositionSequence
            DimensionDescriptionLabel: 'ImagePositionPatient',
          },
        ]
      : []),
  ];
}

/** The modules that describe this object itself: series, equipment, image pixel and segmentation image. */
function segModules(options: WriteSegOptions, first: SourceImage, now: Date): NaturalDataset {
  return {
    Modality: 'SEG',
    SeriesInstanceUID: newUid(),
    SeriesNumber: 1000,
    SeriesDescription: options.seriesDescription ?? 'NextMask segmentation',
    SeriesDate: dicomDate(now),
    SeriesTime: dicomTime(now),
    ContentDate: dicomDate(now),
    ContentTime: dicomTime(now),
    InstanceNumber: 1,
    Manufacturer: 'NextMask',
    ManufacturerModelName: 'NextMask',
    DeviceSerialNumber: '1',
    SoftwareVersions: pkg.version,
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: 'SEGMENTATION',
    ContentDescription: 'NextMask segmentation',
    ContentCreatorName: [],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: first.rows,
    Columns: first.columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
  };
}

export function buildSeg(options: WriteSegOptions): NaturalDataset {
  checkInput(options);
  const { sources, segments } = options;
  const first = sources[0] as SourceImage;
  const now = options.now ?? new Date();
  const hasGeometry = Boolean(first.frameOfReferenceUid && sources.every((s) => s.imagePosition && s.imageOrientation));
  const dimensionOrganizationUid = newUid();
  const frames = segFrames(segments);
  const bits = pixelData(frames, segments, first.rows * first.columns);

  const { PositionReferenceIndicator, PatientOrientation, ...copied } = first.header;
  const ds: NaturalDataset = {
    _vrMap: { PixelData: 'OB' },
    SOPClassUID: SEGMENTATION_STORAGE,
    SOPInstanceUID: newUid(),
    // The patient and study the source belongs to (Patient, General Study modules).
    ...copied,
    ...segModules(options, first, now),
    SegmentSequence: segments.map((s, i) => segmentItem(s, i + 1)),
    NumberOfFrames: frames.length,
    SharedFunctionalGroupsSequence: [sharedGroup(first)],
    PerFrameFunctionalGroupsSequence: frames.map((f) => perFrameGroup(f, sources, hasGeometry)),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionIndexSequence: dimensionIndex(dimensionOrganizationUid, hasGeometry),
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: first.seriesInstanceUid,
        ReferencedInstanceSequence: sources.map((s) => ({
          ReferencedSOPClassUID: s.sopClassUid,
          ReferencedSOPInstanceUID: s.sopInstanceUid,
        })),
      },
    ],
    PixelData: [bits.buffer],
  };
  // Without a frame of reference the General Image module wants the source's patient orientation (type 2C).
  if (!hasGeometry) ds.PatientOrientation = PatientOrientation ?? '';
  if (first.frameOfReferenceUid) {
    ds.FrameOfReferenceUID = first.frameOfReferenceUid;
    ds.PositionReferenceIndicator = PositionReferenceIndicator ?? '';
  }
  return options.deidentify ? deidentify(ds, options.deidentify) : ds;
}

/** The SEG as DICOM Part 10 bytes (explicit VR little endian). */
export function writeSeg(options: WriteSegOptions): Uint8Array {
  return writeDataset(buildSeg(options));
}
