import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeWhole } from './write-whole';

const dir = mkdtempSync(join(tmpdir(), 'nextmask-write-whole-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeWhole', () => {
  it('keeps the previous file and leaves nothing behind when the writer fails halfway', async () => {
    const path = join(dir, 'mask.nii.gz');
    writeFileSync(path, 'previous export');
    const failing = async (tmp: string) => {
      await writeFile(tmp, 'half of a new ex');
      throw new Error('the encoder failed');
    };
    await expect(writeWhole(path, failing)).rejects.toThrow(`cannot write ${path}: the encoder failed`);
    expect(readFileSync(path, 'utf8')).toBe('previous export');
    expect(readdirSync(dir)).toEqual(['mask.nii.gz']);
  });

  it('puts the whole new file under the name', async () => {
    const path = join(dir, 'new.png');
    await writeWhole(path, (tmp) => writeFile(tmp, 'whole'));
    expect(readFileSync(path, 'utf8')).toBe('whole');
    expect(readdirSync(dir).sort()).toEqual(['mask.nii.gz', 'new.png']);
  });
});
