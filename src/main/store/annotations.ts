// The masks side of the app, behind the IPC channels: a series' segments loaded from and saved
// to the workspace store, AI proposals recorded, and exports/imports (DICOM SEG, NIfTI, PNG).
// Exports write what is committed, so a file on disk always matches the store.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import type {
  EditRecord,
  ExportFormat,
  ExportResult,
  LoadedSegments,
  RecentStudy,
} from '../../shared/labelmap/channels';
import {
  type FrameShape,
  framesFromChange,
  masksFromBits,
  type SegmentChangePayload,
  type SegmentPayload,
  toPayload,
} from '../../shared/labelmap/payload';
import { NEW_SEGMENT_DEFAULTS, type Segment } from '../../shared/labelmap/segments';
import { UserFacingError } from '../errors';
import { plainFsError } from '../files/fs-errors';
import { readInputFile } from '../files/read-input';
import { writeWhole } from '../files/write-whole';
import { decodeNifti, encodeNifti, geometryOf } from '../io/nifti';
import { readMaskPng, writeMaskPng } from '../io/png-mask';
import { readSeg } from '../seg/read-seg';
import { readSourceImages } from '../seg/source-images';
import { segSegmentFrom, writeSeg } from '../seg/write-seg';
import type { StudyRecord } from './records';
import type { SeriesSource } from './series-source';
import { checkNotFolder, resolveUserPath, withExtension } from './user-paths';
import { DATABASE_FILE, Workspace } from './workspace';

/** NEXTMASK_WORKSPACE, else ~/.nextmask/workspace. */
export function defaultWorkspaceDir(): string {
  return process.env.NEXTMASK_WORKSPACE || join(homedir(), '.nextmask', 'workspace');
}

export interface ExportRequest {
  seriesId: string;
  format: ExportFormat;
  path: string;
  /** DICOM SEG only: apply the PS3.15 basic profile. */
  deidentify?: boolean;
  /** PNG only: which segment and frame. */
  segmentId?: string;
  frame?: number;
}

export class Annotations {
  private workspace: Workspace | null = null;
  /** Where exports go by default, and what relative export and import paths start from. */
  readonly exportDir: string;

  constructor(
    private readonly workspaceDir: string,
    private readonly series: SeriesSource,
  ) {
    this.exportDir = join(workspaceDir, 'exports');
  }

  /** The workspace store, opened on first use (fine-tuning reads its corrections). */
  store(): Workspace {
    this.workspace ??= new Workspace(this.workspaceDir);
    return this.workspace;
  }

  close(): void {
    this.workspace?.close();
    this.workspace = null;
  }

  /** What the store records about a series (nothing is written here). */
  private async record(seriesId: string): Promise<StudyRecord> {
    const s = this.series.summary(seriesId);
    if (s.frameCount === 0)
      throw new UserFacingError(`series ${s.seriesDescription || seriesId} has no images to annotate`);
    // Only the first frame's file: reading every path of a long series would decode each frame.
    const firstPath = await this.series.framePath(seriesId, 0);
    const record: StudyRecord = {
      key: s.seriesInstanceUid || firstPath,
      sourcePath: firstPath,
      modality: s.modality,
      width: s.columns,
      height: s.rows,
      frameCount: s.frameCount,
    };
    if (s.studyInstanceUid) record.studyUid = s.studyInstanceUid;
    if (s.seriesInstanceUid) record.seriesUid = s.seriesInstanceUid;
    if (s.seriesDescription) record.description = s.seriesDescription;
    return record;
  }

  private async study(seriesId: string): Promise<StudyRecord> {
    return this.store().putStudy(await this.record(seriesId));
  }

  private static shape(study: StudyRecord): FrameShape {
    return { width: study.width, height: study.height, frameCount: study.frameCount };
  }

  /** Viewing a series reads the store but never writes to it (no workspace is created just to look). */
  async load(seriesId: string): Promise<LoadedSegments> {
    const record = await this.record(seriesId);
    const empty = {
      studyKey: record.key,
      ...Annotations.shape(record),
      segments: [],
      savedAt: null,
      version: 0,
      exportDir: this.exportDir,
      exportName: exportName(record),
    };
    if (!this.hasStore()) return empty;
    const saved = this.store()
      .listStudies()
      .find((s) => s.key === record.key);
    if (!saved) return empty;
    // The store knows which AI segments were changed by hand (their SEG says SEMIAUTOMATIC): the row says so too.
    const corrected = this.store().correctedSegmentUids(record.key);
    return {
      ...empty,
      segments: this.store()
        .loadSegments(record.key)
        .map((s) => toPayload(corrected.has(s.id) ? { ...s, edited: true } : s)),
      savedAt: saved.savedAt,
      version: saved.version,
    };
  }

  /** Whether a store exists to read from (viewing never creates one). */
  private hasStore(): boolean {
    return this.workspace !== null || existsSync(join(this.workspaceDir, DATABASE_FILE));
  }

  /** The studies of the store, last saved first, each with what to open to show it again (reads only). */
  recent(limit = 12): RecentStudy[] {
    if (!this.hasStore()) return [];
    return this.store()
      .listStudies('recent')
      .slice(0, limit)
      .map((s) => ({
        key: s.key,
        // A series of several single-frame files opens from its folder; a radiograph or one file as itself.
        openPath: s.seriesUid && s.frameCount > 1 ? dirname(s.sourcePath) : s.sourcePath,
        frameCount: s.frameCount,
        segmentCount: s.segmentCount,
        savedAt: s.savedAt,
        ...(s.seriesUid ? { seriesUid: s.seriesUid } : {}),
        ...(s.description ? { description: s.description } : {}),
        ...(s.modality ? { modality: s.modality } : {}),
      }));
  }

  /** When segments of a series (by SeriesInstanceUID) were last saved; null if never (reads only). */
  lastSaved(seriesInstanceUid: string): string | null {
    if (!this.hasStore()) return null;
    const saved = this.store()
      .listStudies()
      .find((s) => s.key === seriesInstanceUid && s.segmentCount > 0);
    return saved?.savedAt ?? null;
  }

  /**
   * One editing step committed to the store (the renderer autosaves every change this way), over
   * `version` (what the caller loaded or last committed): a newer commit from elsewhere is a conflict.
   */
  async commit(
    seriesId: string,
    step: { version: number; order: string[]; changed: SegmentChangePayload[]; edits: EditRecord[] },
  ): Promise<{ savedAt: string; version: number }> {
    const study = await this.study(seriesId);
    const changed = step.changed.map((change) => {
      const { frames: _, bits: __, ...info } = change;
      return { info, frames: framesFromChange(change, study) };
    });
    const version = this.store().commitSegments(study.key, {
      order: step.order,
      changed,
      edits: step.edits,
      baseVersion: step.version,
    });
    const saved = this.store()
      .listStudies()
      .find((s) => s.key === study.key);
    return { savedAt: saved?.savedAt ?? new Date().toISOString(), version };
  }

  async recordProposal(
    seriesId: string,
    proposal: { segmentUid: string; prompt: string; algorithm: string; bits: Uint8Array },
  ): Promise<void> {
    const study = await this.study(seriesId);
    const masks = masksFromBits(proposal.bits, Annotations.shape(study));
    this.store().recordProposal(study.key, { ...proposal, masks });
  }

  private async dicomSources(seriesId: string) {
    const summary = this.series.summary(seriesId);
    if (summary.kind !== 'image')
      throw new UserFacingError('DICOM SEG needs a DICOM series; export PNG or NIfTI instead');
    return readSourceImages(await this.series.framePaths(seriesId));
  }

  async export(typed: ExportRequest): Promise<ExportResult> {
    const typedPath = resolveUserPath(typed.path, this.exportDir);
    // A folder typed as the target is refused as it was typed, before the extension would turn it into a file beside it.
    await checkNotFolder(typedPath);
    const path = withExtension(typedPath, typed.format);
    if (path !== typedPath) await checkNotFolder(path);
    if (path.startsWith(this.exportDir)) await mkdir(this.exportDir, { recursive: true });
    try {
      return await this.write({ ...typed, path });
    } catch (err) {
      throw plainFsError(err, path, true);
    }
  }

  private async write(request: ExportRequest): Promise<ExportResult> {
    const study = await this.study(request.seriesId);
    const segments = this.store().loadSegments(study.key);
    if (segments.length === 0) throw new UserFacingError('no segments to export: add or import one first');
    switch (request.format) {
      case 'seg': {
        const sources = await this.dicomSources(request.seriesId);
        const corrected = this.store().correctedSegmentUids(study.key);
        const bytes = writeSeg({
          sources,
          segments: segments.map((s) => segSegmentFrom(s, { edited: corrected.has(s.id) })),
          // A secret per workspace: pseudonyms agree across exports but cannot be recomputed elsewhere.
          ...(request.deidentify ? { deidentify: { salt: this.store().secret('deidentify') } } : {}),
        });
        await writeWhole(request.path, (tmp) => writeFile(tmp, bytes));
        return { path: request.path, deidentified: Boolean(request.deidentify), segments: segments.length };
      }
      case 'nifti': {
        const geometry =
          this.series.summary(request.seriesId).kind === 'image'
            ? geometryOf(await this.dicomSources(request.seriesId))
            : { spacing: [1, 1, 1] as [number, number, number] };
        const bytes = encodeNifti(
          segments.map((s) => s.masks),
          geometry,
        );
        await writeWhole(request.path, (tmp) => writeFile(tmp, bytes));
        return { path: request.path, deidentified: false, segments: segments.length };
      }
      case 'png': {
        const segment = request.segmentId ? segments.find((s) => s.id === request.segmentId) : segments[0];
        const mask = segment?.masks[request.frame ?? 0];
        if (!segment || !mask)
          throw new UserFacingError(`no saved segment ${request.segmentId ?? ''} frame ${request.frame ?? 0}`);
        await writeWhole(request.path, (tmp) => writeMaskPng(tmp, mask));
        return { path: request.path, deidentified: false, segments: 1 };
      }
    }
  }

  /**
   * Reads a SEG (.dcm), NIfTI (.nii, .nii.gz) or PNG mask for the series; the caller adds the
   * segments. A SEG's segments get ids from its SeriesInstanceUID + SOPInstanceUID, so importing
   * the same SEG again is recognisable.
   */
  async import(seriesId: string, typed: string): Promise<SegmentPayload[]> {
    const path = resolveUserPath(typed, this.exportDir);
    try {
      return await this.read(seriesId, path);
    } catch (err) {
      throw plainFsError(err, path, false);
    }
  }

  private async read(seriesId: string, path: string): Promise<SegmentPayload[]> {
    const study = await this.study(seriesId);
    const shape = Annotations.shape(study);
    const lower = path.toLowerCase();
    let segments: Segment[];
    if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) {
      const volume = await decodeNifti(await readInputFile(path), {
        width: shape.width,
        height: shape.height,
        depth: shape.frameCount,
      });
      segments = [...volume.labels].map(([label, masks]) => imported(`Label ${label}`, masks));
    } else if (extname(lower) === '.png') {
      if (shape.frameCount !== 1)
        throw new UserFacingError('a PNG mask fits a single image; this series has several frames');
      segments = [imported('Imported mask', [await readMaskPng(path, shape)])];
    } else {
      const seg = await readSeg(await readInputFile(path), await this.dicomSources(seriesId));
      const origin = createHash('sha256').update(`${seg.seriesInstanceUid}|${seg.sopInstanceUid}`).digest('hex');
      segments = seg.segments.map((s, i) => ({
        ...imported(s.label, s.masks),
        id: `seg-${origin.slice(0, 16)}-${i + 1}`,
        color: s.color,
        ...(s.coding ? { coding: s.coding } : {}),
        ...(s.algorithmType === 'MANUAL'
          ? {}
          : {
              source: 'ai' as const,
              algorithm: s.algorithmName ?? 'unknown',
              ...(s.description ? { prompt: s.description } : {}),
            }),
      }));
    }
    return segments.map(toPayload);
  }
}

/** A file name for the series' exports: its description (or modality), safe on every platform. */
function exportName(record: StudyRecord): string {
  const base = (record.description || record.modality || 'segments').replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '');
  return `${base || 'segments'}-segments`;
}

function imported(name: string, masks: Segment['masks']): Segment {
  return {
    id: `imported-${randomUUID().slice(0, 8)}`,
    name,
    color: [255, 200, 0],
    ...NEW_SEGMENT_DEFAULTS,
    masks,
  };
}
