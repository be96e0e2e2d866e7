// The open images: files and folders in, Patient → Study → Series listings out, frames
// decoded on demand (in decode workers, decode-client.ts) through a bounded cache kept here.
// Rasters (PNG/JPEG) become one-frame series. Holds ids and paths only; pixels are re-read
// from disk when a frame is not cached.
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { FileError, FrameResult, OpenResult, SeriesSummary, TagRow, Thumbnail } from '../../shared/viewer-types';
import { UserFacingError } from '../errors';
import { fsProblem } from '../files/fs-errors';
import { readInputFile } from '../files/read-input';
import { BoundedCache } from '../imaging/bounded-cache';
import type { DecodedFrame } from '../imaging/frame';
import { isRaster } from '../imaging/raster';
import { rasterSize } from '../imaging/raster-size';
import { renderThumbnail } from '../imaging/thumbnail';
import { log } from '../log';
import { FrameDecoder, type FrameRequest } from './decode-client';
import { decodeProblem, type InstanceHeader, looksLikeDicom, type ParsedInstance, parseInstance } from './parse';
import { type Sortable, slicePosition, sortInstances } from './sort';
import { listTags } from './tags';

interface Instance extends Sortable {
  sopInstanceUid: string;
  frames: number;
  raster: boolean;
}

interface Series {
  summary: SeriesSummary;
  instances: Instance[];
  /** Display index of each instance's first frame (instances in display order): no object per frame. */
  starts: number[];
}

export interface LibraryOptions {
  /** Decoded-frame cache budget in bytes (default 512 MiB). */
  frameCacheBytes?: number;
  /** Decode worker threads (default: one per spare core, at most 2). */
  decodeWorkers?: number;
}

// Skipped silently inside folders (never when named explicitly): they are never images.
const NOT_IMAGES = new Set(['.md', '.txt', '.json', '.csv', '.xml', '.html', '.pdf', '.zip', '.py', '.ts', '.js']);

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ImageLibrary {
  private readonly series = new Map<string, Series>();
  private readonly seriesByUid = new Map<string, Series>();
  // The series each opened file (by path) and each instance (by SOPInstanceUID) belongs to.
  private readonly fileSeries = new Map<string, Series>();
  private readonly sopSeries = new Map<string, Series>();
  private nextId = 1;
  private readonly frames: BoundedCache<string, DecodedFrame>;
  // Decodes under way, so a read-ahead and a display of the same frame decode it once.
  private readonly decoding = new Map<string, Promise<DecodedFrame>>();
  private readonly decoder: FrameDecoder;
  // The last few parsed files, for the tag panel.
  private readonly parsed = new BoundedCache<string, ParsedInstance>(4, () => 1);

  constructor(options: LibraryOptions = {}) {
    this.frames = new BoundedCache(options.frameCacheBytes ?? 512 * 2 ** 20, (f) => f.stored.byteLength);
    this.decoder = new FrameDecoder(options.decodeWorkers);
  }

  /** Stops the decode workers (they restart if a frame is asked for again). */
  close(): Promise<void> {
    return this.decoder.close();
  }

  /** Opens files and folders (recursively); bad files are reported, the rest open. */
  async open(paths: string[]): Promise<OpenResult> {
    const errors: FileError[] = [];
    const files: string[] = [];
    // Folders already walked (device:inode), so links back up the tree (a -> .) are followed once.
    const walked = new Set<string>();
    for (const path of paths) await this.collect(resolve(path), true, files, errors, walked);
    const touched = new Set<Series>();
    // Series the paths hold, whether new or open before (a path opened again names its series too).
    const named = new Set<Series>();
    for (const file of files) {
      try {
        const known = this.fileSeries.get(file);
        const series = known ?? (await this.add(file));
        if (!known) touched.add(series);
        named.add(series);
      } catch (err) {
        errors.push({ path: file, message: messageOf(err) });
      }
    }
    for (const series of touched) this.order(series);
    for (const error of errors) log.warn(`cannot open ${error.path}: ${error.message}`);
    const ids = new Set([...named].map((n) => n.summary.id));
    const series = this.list();
    return { series, opened: series.filter((s) => ids.has(s.id)).map((s) => s.id), errors };
  }

  /** The files of a series (instances in display order), a non-image object's too. */
  instancePaths(seriesId: string): string[] {
    return this.get(seriesId).instances.map((i) => i.path);
  }

  /** One open series; a user-facing error when it is not open. */
  summary(seriesId: string): SeriesSummary {
    return this.get(seriesId).summary;
  }

  list(): SeriesSummary[] {
    return [...this.series.values()]
      .map((s) => s.summary)
      .sort(
        (a, b) =>
          a.patientName.localeCompare(b.patientName) ||
          a.studyDate.localeCompare(b.studyDate) ||
          a.studyInstanceUid.localeCompare(b.studyInstanceUid) ||
          (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0) ||
          a.id.localeCompare(b.id, undefined, { numeric: true }),
      );
  }

  async frame(seriesId: string, index: number): Promise<FrameResult> {
    const { instance, frame } = this.frameRef(seriesId, index);
    const decoded = await this.decoded({ path: instance.path, frame, raster: instance.raster });
    return {
      frame: decoded,
      info: {
        path: instance.path,
        frameInFile: frame,
        instanceNumber: instance.instanceNumber,
        slicePosition: slicePosition(instance),
      },
    };
  }

  async tags(seriesId: string, index: number): Promise<TagRow[]> {
    const { instance } = this.frameRef(seriesId, index);
    if (instance.raster) return [];
    return listTags((await this.parse(instance.path)).dataSet);
  }

  async thumbnail(seriesId: string): Promise<Thumbnail> {
    const series = this.get(seriesId);
    if (series.summary.frameCount === 0) throw new Error(`series ${seriesId} has no images`);
    const { frame } = await this.frame(seriesId, Math.floor(series.summary.frameCount / 2));
    return renderThumbnail(frame);
  }

  private decoded(request: FrameRequest): Promise<DecodedFrame> {
    const key = `${request.path}#${request.frame}`;
    const cached = this.frames.get(key);
    if (cached) return Promise.resolve(cached);
    let decoding = this.decoding.get(key);
    if (!decoding) {
      decoding = this.decoder.decode(request).then(
        (frame) => {
          this.decoding.delete(key);
          this.frames.set(key, frame);
          return frame;
        },
        (error: unknown) => {
          this.decoding.delete(key);
          throw error;
        },
      );
      this.decoding.set(key, decoding);
    }
    return decoding;
  }

  private get(seriesId: string): Series {
    const series = this.series.get(seriesId);
    if (!series) throw new UserFacingError(`no series ${seriesId || '(none given)'}: open it first`);
    return series;
  }

  private frameRef(seriesId: string, index: number): { instance: Instance; frame: number } {
    const series = this.get(seriesId);
    const count = series.summary.frameCount;
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new Error(`series ${seriesId} has no frame ${index} (it has ${count})`);
    }
    // The last instance starting at or before `index`.
    let lo = 0;
    let hi = series.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((series.starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return { instance: series.instances[lo] as Instance, frame: index - (series.starts[lo] as number) };
  }

  private async parse(path: string): Promise<ParsedInstance> {
    let parsed = this.parsed.get(path);
    if (!parsed) {
      parsed = await parseInstance(await readInputFile(path));
      this.parsed.set(path, parsed);
    }
    return parsed;
  }

  private async collect(
    path: string,
    named: boolean,
    files: string[],
    errors: FileError[],
    walked: Set<string>,
  ): Promise<void> {
    try {
      const info = await stat(path);
      if (info.isDirectory()) {
        const id = `${info.dev}:${info.ino}`;
        if (walked.has(id)) return;
        walked.add(id);
        const entries = await readdir(path);
        for (const entry of entries.sort()) {
          if (entry.startsWith('.')) continue;
          await this.collect(join(path, entry), false, files, errors, walked);
        }
      } else if (named) {
        files.push(path); // a pipe or device named explicitly is refused, with its reason, when read
      } else if (info.isFile() && !NOT_IMAGES.has(extname(path).toLowerCase())) {
        files.push(path);
      }
    } catch (err) {
      errors.push({ path, message: fsProblem(err, null, false) ?? messageOf(err) });
    }
  }

  /** Reads one file not opened before into the library; returns its series. */
  private async add(path: string): Promise<Series> {
    const bytes = await readInputFile(path);
    if (isRaster(bytes)) {
      // Header only: a 3000x3000 radiograph is decoded when it is displayed, not when listed.
      const { width, height } = rasterSize(bytes);
      const series = this.addRaster(path, width, height);
      this.fileSeries.set(path, series);
      return series;
    }
    if (!looksLikeDicom(bytes)) throw new Error('not a DICOM, PNG or JPEG file');
    const { dataSet, header } = await parseInstance(bytes);
    const problem = decodeProblem(dataSet, header);
    if (problem) throw new Error(problem);
    if (!header.seriesInstanceUid) throw new Error('no SeriesInstanceUID');
    const copied = this.sopSeries.get(header.sopInstanceUid); // same instance, another copy
    if (copied) {
      this.fileSeries.set(path, copied);
      return copied;
    }
    const series = this.seriesFor(header);
    this.fileSeries.set(path, series);
    this.sopSeries.set(header.sopInstanceUid, series);
    series.instances.push({
      path,
      sopInstanceUid: header.sopInstanceUid,
      instanceNumber: header.instanceNumber,
      imagePosition: header.imagePosition,
      imageOrientation: header.imageOrientation,
      frames: header.kind === 'image' ? (header.pixel?.frames ?? 1) : 0,
      raster: false,
    });
    return series;
  }

  private newSeries(summary: Omit<SeriesSummary, 'id'>): Series {
    const series: Series = { summary: { id: `s${this.nextId++}`, ...summary }, instances: [], starts: [] };
    this.series.set(series.summary.id, series);
    return series;
  }

  private seriesFor(header: InstanceHeader): Series {
    // Non-image objects get their own entry even when they share a series UID with images.
    const key = `${header.seriesInstanceUid}|${header.kind}`;
    let series = this.seriesByUid.get(key);
    if (!series) {
      series = this.newSeries({
        kind: header.kind,
        patientName: header.patientName,
        patientId: header.patientId,
        studyInstanceUid: header.studyInstanceUid,
        studyDescription: header.studyDescription,
        studyDate: header.studyDate,
        seriesInstanceUid: header.seriesInstanceUid,
        seriesDescription: header.seriesDescription,
        seriesNumber: header.seriesNumber,
        modality: header.modality,
        bodyPart: header.bodyPart,
        frameCount: 0,
        instanceCount: 0,
        rows: header.pixel?.rows ?? 0,
        columns: header.pixel?.columns ?? 0,
        sortedBy: 'single',
      });
      this.seriesByUid.set(key, series);
    }
    return series;
  }

  private addRaster(path: string, width: number, height: number): Series {
    const series = this.newSeries({
      kind: 'raster',
      patientName: '',
      patientId: '',
      studyInstanceUid: '',
      studyDescription: '',
      studyDate: '',
      seriesInstanceUid: '',
      seriesDescription: basename(path),
      seriesNumber: undefined,
      modality: 'OT',
      bodyPart: '',
      frameCount: 0,
      instanceCount: 0,
      rows: height,
      columns: width,
      sortedBy: 'single',
    });
    series.instances.push({
      path,
      sopInstanceUid: '',
      instanceNumber: undefined,
      imagePosition: undefined,
      imageOrientation: undefined,
      frames: 1,
      raster: true,
    });
    return series;
  }

  private order(series: Series): void {
    const { sorted, sortedBy } = sortInstances(series.instances);
    series.instances = sorted;
    let frameCount = 0;
    series.starts = sorted.map((instance) => {
      const start = frameCount;
      frameCount += instance.frames;
      return start;
    });
    series.summary = {
      ...series.summary,
      frameCount,
      instanceCount: sorted.length,
      sortedBy,
    };
  }
}
