// A file on disk → the model's 256x256 input plane, through the viewer's decoder (DICOM) or raster
// reader (PNG/JPEG) and training's normalisation (imaging/model-input.ts), so inference sees
// what training saw. The rule for DICOM is in docs/SEGMENTER.md.

import { decodeFrame } from '../dicom/decode-frame';
import { looksLikeDicom, parseInstance } from '../dicom/parse';
import { UserFacingError } from '../errors';
import { readInputFile } from '../files/read-input';
import { type DecodedFrame, modalityPixels } from '../imaging/frame';
import { modelInput, unitPlane } from '../imaging/model-input';
import { decodeRaster, type GreyImage, isRaster } from '../imaging/raster';
import type { Plane } from '../imaging/resample';

export interface PreparedInput {
  /** The model's input: SAMPLE_SIZE² grey in [0, 1]. */
  image: Plane<Float32Array>;
  /** The film at its own size, grey in [0, 1]: what a zoomed decode crops (pointed.ts). */
  film: Plane<Float32Array>;
  /** The source image's size: the mask is brought back to it. */
  width: number;
  height: number;
  /** DICOM input: how many frames the file has (a SEG can reference a single-frame file). */
  dicomFrames?: number;
  /** DICOM input: its Modality (0008,0060). */
  modality?: string;
  /** DICOM input: its BodyPartExamined (0018,0015), '' when absent. */
  bodyPart?: string;
}

/**
 * A grey DICOM frame as [0, 1]: modality values through the frame's default window (the file's
 * first window, else the full range), clamped, MONOCHROME1 inverted — what the viewer first shows.
 */
export function unitFromFrame(frame: DecodedFrame): Plane<Float32Array> {
  if (frame.color) throw new Error('colour DICOM images are not supported (the model reads greyscale)');
  const values = modalityPixels(frame);
  const low = frame.window.center - frame.window.width / 2;
  const width = frame.window.width;
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(1, Math.max(0, ((values[i] as number) - low) / width));
    values[i] = frame.invert ? 1 - v : v;
  }
  return { width: frame.columns, height: frame.rows, data: values };
}

/**
 * The film of a frame the viewer decoded: a DICOM frame through `unitFromFrame`, a PNG/JPEG (`raster`,
 * whose frame holds the file's samples as decoded) as those samples, which modelInput scales by their
 * bit depth as in training.
 */
export function filmFromFrame(frame: DecodedFrame, raster: boolean): GreyImage | Plane<Float32Array> {
  if (!raster) return unitFromFrame(frame);
  const { stored } = frame;
  if (!(stored instanceof Uint8Array || stored instanceof Uint16Array)) throw new Error('not a PNG/JPEG frame');
  const bitsStored = stored instanceof Uint16Array ? 16 : 8;
  return { width: frame.columns, height: frame.rows, bitsStored, data: stored };
}

/** The model input for a frame the viewer decoded (see filmFromFrame). */
export function inputFromFrame(frame: DecodedFrame, raster: boolean): Plane<Float32Array> {
  return modelInput(filmFromFrame(frame, raster));
}

/** Reads and prepares `path` (DICOM, PNG or JPEG); `frame` picks a frame of a multi-frame DICOM. */
export async function prepareInput(path: string, frame = 0): Promise<PreparedInput> {
  const bytes = await readInputFile(path).catch((err: unknown) => {
    // A missing or forbidden path is already said in words, with the path (files/fs-errors.ts).
    if (err instanceof UserFacingError) throw err;
    throw new Error(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  });
  try {
    if (isRaster(bytes)) {
      if (frame !== 0) throw new Error('--frame applies to DICOM input only');
      const film = unitPlane(decodeRaster(bytes));
      return { image: modelInput(film), film, width: film.width, height: film.height };
    }
    if (!looksLikeDicom(bytes)) throw new Error('not a DICOM, PNG or JPEG file');
    const instance = await parseInstance(bytes);
    const decoded = await decodeFrame(instance, frame);
    const film = unitFromFrame(decoded);
    return {
      image: modelInput(film),
      film,
      width: decoded.columns,
      height: decoded.rows,
      dicomFrames: instance.header.pixel?.frames ?? 1,
      modality: instance.header.modality,
      bodyPart: instance.header.bodyPart,
    };
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
