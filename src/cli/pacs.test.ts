// `nextmask pacs` against a real Orthanc (DICOMweb plugin, basic auth) holding ../shared/dicom:
// query by patient and modality, retrieve bit-identical instances, then the round trip of a SEG the
// CLI writes for a retrieved CT slice: send, find, retrieve, and check what came back.

import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDataSet } from '../main/dicom/parse';
import { items, readDataset, str } from '../main/seg/dicom-file';
import { readSeg } from '../main/seg/read-seg';
import { readSourceImages } from '../main/seg/source-images';
import { captureOutput } from '../main/testing/capture-output';
import { filesUnder, hasOrthanc, type Orthanc, startOrthanc } from '../main/testing/orthanc';
import { SHARED_DICOM, sharedPath } from '../main/testing/shared-data';
import { writeRandomModel } from '../main/testing/tiny-model';
import { masksEqual } from '../shared/labelmap/mask';
import type { PacsSeries, StudyPage } from '../shared/pacs-types';
import { pacsCommand } from './pacs';
import { segmentCommand } from './segment';

const CT_DIR = sharedPath('dicom', 'ct-3slice-with-seg');
const MR_DIR = sharedPath('dicom', 'mr-brain-series');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function capture(command: (argv: string[]) => Promise<number>, argv: string[]): Promise<Run> {
  const { value, stdout, stderr } = await captureOutput(() => command(argv));
  return { code: value, stdout, stderr };
}

/** Part 10 identity and pixels: what "bit-identical" is checked on (whole files are compared too). */
async function identity(path: string): Promise<{ sop: string; pixels: Buffer; file: Buffer }> {
  const file = await readFile(path);
  const ds = await parseDataSet(file);
  const pixels = ds.elements.x7fe00010;
  if (!pixels) throw new Error(`${path} has no pixel data`);
  return {
    sop: ds.string('x00080018') ?? '',
    pixels: file.subarray(pixels.dataOffset, pixels.dataOffset + pixels.length),
    file,
  };
}

async function identities(paths: string[]): Promise<Map<string, { pixels: Buffer; file: Buffer }>> {
  return new Map((await Promise.all(paths.map(identity))).map((x) => [x.sop, x]));
}

function expectSame(
  retrieved: Map<string, { pixels: Buffer; file: Buffer }>,
  originals: Map<string, { pixels: Buffer; file: Buffer }>,
): void {
  expect([...retrieved.keys()].sort()).toEqual([...originals.keys()].sort());
  for (const [sop, original] of originals) {
    const got = retrieved.get(sop);
    expect(got?.pixels.equals(original.pixels), `pixel data of ${sop}`).toBe(true);
    expect(got?.file.equals(original.file), `file ${sop}`).toBe(true);
  }
}

describe.skipIf(!hasOrthanc() && !process.env.CI)('nextmask pacs against Orthanc', () => {
  let orthanc: Orthanc;
  let dir: string;
  let server: string[];
  const saved = { workspace: process.env.NEXTMASK_WORKSPACE, secret: process.env.NEXTMASK_PACS_SECRET };

  const pacs = async (...argv: string[]) => capture(pacsCommand, [...argv, ...server, '--json']);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-pacs-'));
    orthanc = await startOrthanc();
    expect(await orthanc.upload(await filesUnder(SHARED_DICOM))).toBeGreaterThan(25);
    await writeRandomModel(dir);
    process.env.NEXTMASK_WORKSPACE = join(dir, 'workspace');
    process.env.NEXTMASK_PACS_SECRET = orthanc.password;
    server = ['--url', orthanc.dicomWeb, '--user', orthanc.user, '--timeout', '20'];
  }, 60_000);

  afterAll(async () => {
    await orthanc?.dispose();
    process.env.NEXTMASK_WORKSPACE = saved.workspace;
    process.env.NEXTMASK_PACS_SECRET = saved.secret;
    if (saved.workspace === undefined) delete process.env.NEXTMASK_WORKSPACE;
    if (saved.secret === undefined) delete process.env.NEXTMASK_PACS_SECRET;
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the CT and MR studies by patient and by modality', async () => {
    const ct = await readDataset(await readFile(join(CT_DIR, '01.dcm')));
    const mr = await parseDataSet(await readFile(join(MR_DIR, 'brain_002.dcm')));
    const mrStudy = mr.string('x0020000d');
    const byModality = async (modality: string) =>
      (JSON.parse((await pacs('query', '--modality', modality)).stdout) as StudyPage).studies;
    const ctStudies = await byModality('CT');
    expect(ctStudies.map((s) => s.studyInstanceUid)).toContain(str(ct.StudyInstanceUID));
    expect(ctStudies.every((s) => s.modalities.includes('CT'))).toBe(true);
    const mrStudies = await byModality('MR');
    expect(mrStudies.map((s) => s.studyInstanceUid)).toContain(mrStudy);

    const byPatient = JSON.parse(
      (await pacs('query', '--patient-id', mr.string('x00100020') ?? '')).stdout,
    ) as StudyPage;
    expect(byPatient.studies.map((s) => s.studyInstanceUid)).toEqual([mrStudy]);
    const ctName = (ct.PatientName as { Alphabetic: string }[])[0]?.Alphabetic ?? '';
    const byName = JSON.parse((await pacs('query', '--patient-name', ctName.slice(0, 4))).stdout) as StudyPage;
    expect(byName.studies.map((s) => s.patientName)).toContain(ctName);
  });

  it('retrieves every MR instance bit-identical (SOP Instance UIDs and pixel data)', async () => {
    const mr = await parseDataSet(await readFile(join(MR_DIR, 'brain_002.dcm')));
    const run = await pacs('retrieve', mr.string('x0020000d') ?? '');
    expect(run.code).toBe(0);
    const [series] = JSON.parse(run.stdout) as { paths: string[]; fetched: number; failed: unknown[] }[];
    expect(series?.failed).toEqual([]);
    expectSame(await identities(series?.paths ?? []), await identities(await filesUnder(MR_DIR)));
  });

  it('sends the SEG of a retrieved CT slice back; it comes back referencing the CT series with the same masks', async () => {
    const ct = await readDataset(await readFile(join(CT_DIR, '01.dcm')));
    const study = str(ct.StudyInstanceUID) ?? '';
    const ctSeries = str(ct.SeriesInstanceUID) ?? '';
    const retrieved = await pacs('retrieve', study, '--series', ctSeries);
    const [got] = JSON.parse(retrieved.stdout) as { paths: string[] }[];
    const slices = got?.paths ?? [];
    const originals = await identities((await filesUnder(CT_DIR)).filter((p) => /\/0\d\.dcm$/.test(p)));
    expectSame(await identities(slices), originals);

    const segPath = join(dir, 'liver.dcm');
    const segmented = await capture(segmentCommand, [
      slices[0] as string,
      '--prompt',
      'liver',
      '--out',
      segPath,
      '--model',
      join(dir, 'model'),
    ]);
    expect(segmented.code).toBe(0);
    const sent = await pacs('send', segPath);
    expect(sent.code).toBe(0);
    const sentSop = str((await readDataset(await readFile(segPath))).SOPInstanceUID);
    expect(JSON.parse(sent.stdout)).toMatchObject({ instances: [{ sopInstanceUid: sentSop, ok: true }], outbox: [] });

    const series = JSON.parse((await pacs('query', '--study', study)).stdout) as PacsSeries[];
    const segSeries = series.filter((s) => s.modality === 'SEG');
    const ours = [];
    for (const s of segSeries) {
      const run = await pacs('retrieve', study, '--series', s.seriesInstanceUid);
      const [back] = JSON.parse(run.stdout) as { paths: string[] }[];
      for (const path of back?.paths ?? []) if (path.includes(sentSop ?? '-')) ours.push(path);
    }
    expect(ours).toHaveLength(1);
    const back = await readFile(ours[0] as string);
    const ds = await readDataset(back);
    expect(str(items(ds.ReferencedSeriesSequence)[0]?.SeriesInstanceUID)).toBe(ctSeries);
    const sources = await readSourceImages([slices[0] as string]);
    const returned = await readSeg(back, sources);
    const original = await readSeg(await readFile(segPath), sources);
    expect(returned.segments).toHaveLength(original.segments.length);
    // A mask with something in it, so that equality means something.
    expect(original.segments[0]?.masks[0]?.data.some((v) => v !== 0)).toBe(true);
    for (const [i, segment] of original.segments.entries()) {
      const mask = segment.masks[0];
      const other = returned.segments[i]?.masks[0];
      expect(mask && other && masksEqual(mask, other)).toBe(true);
    }
  }, 120_000);
});
