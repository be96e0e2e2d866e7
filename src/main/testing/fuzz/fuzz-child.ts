// One fuzz worker process: reads case requests (JSON lines) on stdin, runs each through the real
// open/decode/import path and answers one JSON line per case. The runner (scripts/fuzz.ts) starts
// it with a heap limit and kills it on a hang; a crash ends only this process, and is counted.
import { createInterface } from 'node:readline';
import { ImageLibrary } from '../../dicom/library';
import { readInputFile } from '../../files/read-input';
import { decodeNifti } from '../../io/nifti';
import { readSeg } from '../../seg/read-seg';
import { readSourceImages, type SourceImage } from '../../seg/source-images';
import { sharedPath } from '../shared-data';
import type { CaseKind } from './cases';

export interface CaseRequest {
  path: string;
  kind: CaseKind;
}

export interface CaseReply {
  /** crashed: an exception escaped the app's own handling (a bug, even if caught here). */
  outcome: 'displayed' | 'error' | 'crashed';
  message?: string;
  ms: number;
  /** Peak resident memory of this process so far, MiB. */
  peakMiB: number;
}

const library = new ImageLibrary({ decodeWorkers: 1 });
let sources: SourceImage[] | undefined;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : `(not an Error) ${String(err)}`;
}

async function run({ path, kind }: CaseRequest): Promise<Omit<CaseReply, 'ms' | 'peakMiB'>> {
  if (kind === 'dicom') {
    const { series, errors } = await library.open([path]);
    if (errors.length > 0) return { outcome: 'error', message: errors[0]?.message };
    // What the viewer shows first: the first and the last frame of each series the file added.
    for (const s of series) {
      if (s.kind !== 'image' || s.frameCount === 0) continue;
      for (const index of new Set([0, s.frameCount - 1])) {
        try {
          const { frame } = await library.frame(s.id, index);
          if (frame.stored.length < frame.rows * frame.columns) throw new Error('decoded frame is short');
        } catch (err) {
          return { outcome: 'error', message: messageOf(err) };
        }
      }
    }
    return { outcome: 'displayed' };
  }
  try {
    const bytes = await readInputFile(path);
    if (kind === 'nifti') {
      const volume = await decodeNifti(bytes, { width: 512, height: 512, depth: 3 });
      if (volume.labels.size === 0) return { outcome: 'displayed', message: 'no labels' };
    } else {
      sources ??= await readSourceImages(
        ['01.dcm', '02.dcm', '03.dcm'].map((f) => sharedPath('dicom/ct-3slice-with-seg', f)),
      );
      await readSeg(bytes, sources);
    }
    return { outcome: 'displayed' };
  } catch (err) {
    return { outcome: 'error', message: messageOf(err) };
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const request = JSON.parse(line) as CaseRequest;
  const started = performance.now();
  run(request)
    .catch((err: unknown) => ({ outcome: 'crashed' as const, message: messageOf(err) }))
    .then((reply) => {
      const out: CaseReply = {
        ...reply,
        ms: Math.round(performance.now() - started),
        peakMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    });
});
lines.on('close', () => void library.close());
