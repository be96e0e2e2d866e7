// Every image in ../shared/dicom, decoded by decodeFrame, checked against Debian's dcmtk
// (dcmdump for tags, dcmj2pnm for pixels; GDCM's gdcmconv first for JPEG 2000, which the
// free dcmtk cannot read). Skipped, loudly, when the tools are missing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modalityPixels } from '../imaging/frame';
import { SHARED_DICOM, sharedPath } from '../testing/shared-data';
import { hasTool } from '../testing/tools';
import { decodeFrame } from './decode-frame';
import { parseInstance } from './parse';

const TOOLS = hasTool('dcmdump') && hasTool('dcmj2pnm') && hasTool('gdcmconv');
const work = mkdtempSync(join(tmpdir(), 'nextmask-ref-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function dicomFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return dicomFiles(path);
    return path.endsWith('.dcm') ? [path] : [];
  });
}

/** dcmdump's value for one tag, e.g. "512" or "MONOCHROME2". */
function dumpTag(path: string, tag: string): string | undefined {
  const out = execFileSync('dcmdump', ['-Un', '-M', '+P', tag, path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'], // dcmtk warns at length about odd files
  });
  const match = /^\([0-9a-f,]+\) \w\w (?:\[([^\]]*)\]|(\S+))/im.exec(out);
  return match ? (match[1] ?? match[2]) : undefined;
}

/** dcmj2pnm's rendering with a min-max window over the modality values, as 16-bit samples. */
function dcmtkPixels(path: string, frame: number): { width: number; height: number; data: Uint16Array } {
  let input = path;
  // dcmj2pnm reads neither JPEG 2000 nor JPEG-LS; GDCM decompresses those first.
  if (/^1\.2\.840\.10008\.1\.2\.4\.(8\d|9\d)$/.test(dumpTag(path, '0002,0010') ?? '')) {
    input = join(work, `${relative(SHARED_DICOM, path).replaceAll('/', '_')}.raw.dcm`);
    execFileSync('gdcmconv', ['--raw', path, input]);
  }
  const text = execFileSync('dcmj2pnm', ['+Wm', '+opw', '+F', String(frame + 1), input], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const tokens = text.split(/\s+/).filter(Boolean);
  const [magic, w, h] = tokens;
  if (magic !== 'P2') throw new Error(`dcmj2pnm wrote ${magic}, expected P2`);
  const width = Number(w);
  const height = Number(h);
  return { width, height, data: Uint16Array.from(tokens.slice(4, 4 + width * height), Number) };
}

const files = TOOLS ? dicomFiles(sharedPath('dicom')) : [];

// CI installs the tools (.ci/run), so there a missing tool is a failure, not a skip.
it.runIf(process.env.CI)('has dcmtk and GDCM (CI)', () => {
  expect(TOOLS).toBe(true);
});

// dcmtk and GDCM run as child processes per file; on a busy 2-core machine one file can take tens of seconds.
describe.skipIf(!TOOLS)('decodeFrame against dcmtk', { timeout: 120_000 }, () => {
  it('finds the shared DICOM files', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  for (const path of files) {
    const name = relative(SHARED_DICOM, path);
    it(`${name}: header and pixels match dcmtk`, async () => {
      const instance = await parseInstance(readFileSync(path));
      const { header } = instance;
      if (header.kind !== 'image') {
        expect(['SEG', 'RTSTRUCT']).toContain(header.kind);
        return;
      }
      const pixel = header.pixel!;
      expect(pixel.rows).toBe(Number(dumpTag(path, '0028,0010')));
      expect(pixel.columns).toBe(Number(dumpTag(path, '0028,0011')));
      expect(pixel.frames).toBe(Number(dumpTag(path, '0028,0008') ?? 1));
      expect(pixel.photometric).toBe(dumpTag(path, '0028,0004'));
      // The Modality LUT and the default window: the pixel check below is blind to any linear map.
      const first = (tag: string) => {
        const value = dumpTag(path, tag);
        return value === undefined ? undefined : Number(value.split('\\')[0]);
      };
      expect(header.rescale.slope).toBeCloseTo(first('0028,1053') ?? 1, 9);
      expect(header.rescale.intercept).toBeCloseTo(first('0028,1052') ?? 0, 9);
      const width = first('0028,1051');
      if (width !== undefined && width >= 1) {
        expect(header.windows[0]).toEqual({ center: first('0028,1050'), width });
      } else {
        expect(header.windows).toEqual([]);
      }

      // The first frame, and the middle one of a multi-frame file.
      for (const frameIndex of new Set([0, Math.floor(pixel.frames / 2)])) {
        const frame = await decodeFrame(instance, frameIndex);
        const reference = dcmtkPixels(path, frameIndex);
        expect([frame.columns, frame.rows]).toEqual([reference.width, reference.height]);
        // dcmtk maps the modality values linearly onto 0..65535 (inverted for MONOCHROME1);
        // fit that line and require every pixel to sit on it.
        const values = modalityPixels(frame);
        const sign = frame.invert ? -1 : 1;
        const n = values.length;
        let sx = 0;
        let sy = 0;
        let sxx = 0;
        let sxy = 0;
        for (let i = 0; i < n; i++) {
          const x = sign * (values[i] as number);
          const y = reference.data[i] as number;
          sx += x;
          sy += y;
          sxx += x * x;
          sxy += x * y;
        }
        const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        const offset = (sy - slope * sx) / n;
        expect(slope, `${name}: brighter must stay brighter`).toBeGreaterThan(0);
        let worst = 0;
        let total = 0;
        for (let i = 0; i < n; i++) {
          const diff = Math.abs(slope * sign * (values[i] as number) + offset - (reference.data[i] as number));
          worst = Math.max(worst, diff);
          total += diff;
        }
        // Rounding in dcmtk's window is a grey level out of 256 at most; a wrong decode is far off.
        expect(worst, `${name} frame ${frameIndex}: worst difference`).toBeLessThan(65535 / 256);
        expect(total / n).toBeLessThan(65535 / 1024);
      }
    });
  }
});
