// Checkpoint file (little-endian):
//   bytes 0..7   magic "NMCKPT01"
//   bytes 8..11  uint32 header length H
//   12..12+H     JSON header: { steps, config, tensors: [{ name, role, length, shape?, offset }] }
//   then, from the first 64-byte boundary, float32 data; each tensor's `offset` (bytes, from
//   that boundary) is 64-byte aligned. role: 'param' | 'adam.m' | 'adam.v'.
// Written to a temporary file, fsynced, renamed over the target and the directory fsynced,
// so a crash leaves either the old checkpoint or the new one, never a torn file.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname } from 'node:path';
import type { TrainerState } from './trainer';

const MAGIC = 'NMCKPT01';
const ALIGN = 64;
type Role = 'param' | 'adam.m' | 'adam.v';

interface TensorEntry {
  name: string;
  role: Role;
  length: number;
  shape?: number[];
  offset: number;
}

interface Header {
  steps: number;
  config: unknown;
  tensors: TensorEntry[];
}

export interface Checkpoint {
  state: TrainerState;
  /** Whatever the caller saved alongside (model and optimiser configuration). */
  config: unknown;
  shapes: Record<string, number[]>;
}

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

function checkHost(): void {
  if (endianness() !== 'LE') throw new Error('checkpoints are little-endian; this host is big-endian');
}

export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  checkHost();
  const { state } = checkpoint;
  const entries: TensorEntry[] = [];
  const data: Float32Array[] = [];
  let offset = 0;
  const roles: [Role, Record<string, Float32Array>][] = [
    ['param', state.params],
    ['adam.m', state.m],
    ['adam.v', state.v],
  ];
  for (const [role, rec] of roles) {
    for (const [name, values] of Object.entries(rec)) {
      const shape = checkpoint.shapes[name];
      entries.push({ name, role, length: values.length, ...(shape ? { shape } : {}), offset });
      data.push(values);
      offset = align(offset + values.byteLength);
    }
  }
  const header = Buffer.from(JSON.stringify({ steps: state.steps, config: checkpoint.config, tensors: entries }));
  const prefix = Buffer.alloc(align(12 + header.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  header.copy(prefix, 12);

  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const file = await open(tmp, 'wx');
  try {
    await file.write(prefix);
    for (const [i, values] of data.entries()) {
      const at = prefix.length + (entries[i] as TensorEntry).offset;
      await file.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 0, values.byteLength, at);
    }
    // Zero-pad to the last tensor's aligned end, the length the header implies.
    await file.truncate(prefix.length + offset);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await file.close();
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  checkHost();
  const bytes = await readFile(path);
  const fail = (why: string): never => {
    throw new Error(`${path} is not a valid checkpoint: ${why}`);
  };
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) fail('bad magic (expected NMCKPT01)');
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length) fail('truncated header');
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as Header;
  } catch {
    return fail('header is not JSON');
  }
  if (!Number.isInteger(header.steps) || !Array.isArray(header.tensors)) fail('header lacks steps or tensors');
  const base = align(12 + headerLength);
  const state: TrainerState = { steps: header.steps, params: {}, m: {}, v: {} };
  const shapes: Record<string, number[]> = {};
  const target = { param: state.params, 'adam.m': state.m, 'adam.v': state.v };
  for (const t of header.tensors) {
    const rec = target[t.role];
    if (!rec) fail(`unknown role ${t.role}`);
    const start = base + t.offset;
    if (t.offset % ALIGN !== 0 || start + t.length * 4 > bytes.length) fail(`tensor ${t.name} lies outside the file`);
    // Copy out of the file buffer so each tensor owns an aligned buffer.
    rec[t.name] = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + t.length * 4),
    );
    if (t.shape) shapes[t.name] = t.shape;
  }
  return { state, config: header.config, shapes };
}
