// Pixel rules the shared files do not exercise, on small files written with dcmjs:
// HighBit below BitsAllocated with overlay bits set, signed 12-bit, planar colour, YBR_FULL,
// a VOI LUT sequence, and a data set without preamble or meta header.
import { describe, expect, it } from 'vitest';
import { requireCjs } from './cjs';
import { decodeFrame } from './decode-frame';
import { parseInstance } from './parse';

interface DcmjsData {
  DicomDict: new (meta: object) => { dict: object; write(): ArrayBuffer };
  DicomMetaDictionary: { denaturalizeDataset(dataset: object): object };
}
const { data: dcmjs } = requireCjs('dcmjs') as { data: DcmjsData };

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const SC_IMAGE = '1.2.840.10008.5.1.4.1.1.7';

function dicomFile(dataset: Record<string, unknown>, pixels: ArrayBufferView): Uint8Array {
  const meta = dcmjs.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: '1.2.3.4',
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '1.2.3.4.5',
  });
  const dict = new dcmjs.DicomDict(meta);
  const buffer = pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength);
  dict.dict = dcmjs.DicomMetaDictionary.denaturalizeDataset({
    SOPInstanceUID: '1.2.3.4',
    SeriesInstanceUID: '1.2.3',
    StudyInstanceUID: '1.2',
    ...dataset,
    PixelData: [buffer],
    _vrMap: { PixelData: 'OW' },
  });
  return new Uint8Array(dict.write());
}

describe('decodeFrame on synthetic files', () => {
  it('masks bits above HighBit (overlays) and sign-extends BitsStored', async () => {
    // BitsStored 12, HighBit 11, signed: 0x0FFF is -1, 0x0800 is -2048; bit 15 is an overlay bit.
    const raw = Uint16Array.from([0x0fff, 0x8800, 0x07ff, 0x8005]);
    const bytes = dicomFile(
      {
        SOPClassUID: CT_IMAGE,
        Rows: 2,
        Columns: 2,
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        BitsAllocated: 16,
        BitsStored: 12,
        HighBit: 11,
        PixelRepresentation: 1,
        RescaleSlope: '1',
        RescaleIntercept: '0',
      },
      raw,
    );
    const frame = await decodeFrame(await parseInstance(bytes), 0);
    expect(Array.from(frame.stored)).toEqual([-1, -2048, 2047, 5]);
    expect([frame.minStored, frame.maxStored]).toEqual([-2048, 2047]);
  });

  it('shifts values whose HighBit is not BitsStored - 1', async () => {
    // BitsStored 8 at bits 4..11 (HighBit 11): 0x0AB0 → 0xAB.
    const bytes = dicomFile(
      {
        SOPClassUID: SC_IMAGE,
        Rows: 1,
        Columns: 2,
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME1',
        BitsAllocated: 16,
        BitsStored: 8,
        HighBit: 11,
        PixelRepresentation: 0,
      },
      Uint16Array.from([0x0ab0, 0xf010]),
    );
    const frame = await decodeFrame(await parseInstance(bytes), 0);
    expect(Array.from(frame.stored)).toEqual([0xab, 0x01]);
    expect(frame.invert).toBe(true);
  });

  it('interleaves planar RGB and converts YBR_FULL', async () => {
    const colour = (photometric: string, planar: number, samples: number[]) =>
      dicomFile(
        {
          SOPClassUID: SC_IMAGE,
          Rows: 1,
          Columns: 2,
          SamplesPerPixel: 3,
          PhotometricInterpretation: photometric,
          PlanarConfiguration: planar,
          BitsAllocated: 8,
          BitsStored: 8,
          HighBit: 7,
          PixelRepresentation: 0,
        },
        Uint8Array.from(samples),
      );
    // Planar: R plane, G plane, B plane.
    const planar = await decodeFrame(await parseInstance(colour('RGB', 1, [10, 20, 30, 40, 50, 60])), 0);
    expect(Array.from(planar.stored)).toEqual([10, 30, 50, 20, 40, 60]);
    // YBR_FULL: Y=128, Cb=Cr=128 is mid grey; Cr=255 pushes red up and green down.
    const ybr = await decodeFrame(await parseInstance(colour('YBR_FULL', 0, [128, 128, 128, 128, 128, 255])), 0);
    expect(Array.from(ybr.stored)).toEqual([128, 128, 128, 255, 37, 128]);
    expect(ybr.color).toBe(true);
  });

  it('reads the first item of a VOI LUT sequence and the first of several windows', async () => {
    const bytes = dicomFile(
      {
        SOPClassUID: SC_IMAGE,
        Rows: 1,
        Columns: 2,
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        BitsAllocated: 16,
        BitsStored: 16,
        HighBit: 15,
        PixelRepresentation: 0,
        WindowCenter: ['100', '300'],
        WindowWidth: ['50', '600'],
        VOILUTSequence: [
          { LUTDescriptor: [3, 10, 12], LUTData: [0, 2000, 4095], _vrMap: { LUTDescriptor: 'US', LUTData: 'US' } },
        ],
      },
      Uint16Array.from([10, 12]),
    );
    const frame = await decodeFrame(await parseInstance(bytes), 0);
    expect(frame.window).toEqual({ center: 100, width: 50 });
    expect(frame.windows).toHaveLength(2);
    expect(frame.voiLut).toMatchObject({ first: 10, bits: 12 });
    expect(Array.from(frame.voiLut!.data)).toEqual([0, 2000, 4095]);
  });

  it('reads a data set with neither preamble nor meta header', async () => {
    const bytes = dicomFile(
      {
        SOPClassUID: SC_IMAGE,
        Rows: 1,
        Columns: 3,
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        BitsAllocated: 8,
        BitsStored: 8,
        HighBit: 7,
        PixelRepresentation: 0,
      },
      Uint8Array.from([1, 2, 3, 0]),
    );
    // Drop preamble, "DICM" and the group 0002 meta elements: what is left starts at group 0008.
    let at = 132;
    const view = new DataView(bytes.buffer);
    const groupLength = view.getUint32(at + 8, true);
    at += 12 + groupLength;
    const raw = bytes.slice(at);
    const instance = await parseInstance(raw);
    expect(instance.header.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    expect(Array.from((await decodeFrame(instance, 0)).stored)).toEqual([1, 2, 3]);
  });
});
