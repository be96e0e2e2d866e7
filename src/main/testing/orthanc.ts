// A real Orthanc (Debian's `orthanc` + `orthanc-dicomweb`) for tests: on 127.0.0.1 on a free port,
// basic auth on, a throwaway storage folder and a configuration written here. It can be stopped and
// started again on the same port and storage (an outage in the middle of a retrieve), and one stored
// instance can be broken (its file cut short, as a failing disk leaves it).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ORTHANC = process.env.ORTHANC_BINARY ?? '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = process.env.ORTHANC_DICOMWEB_PLUGIN ?? '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export function hasOrthanc(): boolean {
  return existsSync(ORTHANC) && existsSync(DICOMWEB_PLUGIN);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Orthanc {
  /** REST root, e.g. http://127.0.0.1:PORT */
  url: string;
  /** DICOMweb root. */
  dicomWeb: string;
  user: string;
  password: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash or a pulled cable would end it. */
  kill(): void;
  /** Uploads Part 10 files over the REST API; returns the number stored. */
  upload(paths: string[]): Promise<number>;
  /** Cuts the stored file of one instance in half (its header intact, its pixel data short). */
  breakInstance(sopInstanceUid: string): Promise<void>;
  /** Stops the server and removes its storage. */
  dispose(): Promise<void>;
}

export async function startOrthanc(): Promise<Orthanc> {
  const dir = await mkdtemp(join(tmpdir(), 'nextmask-orthanc-'));
  const port = await freePort();
  const user = 'nextmask';
  const password = 'correct horse';
  const url = `http://127.0.0.1:${port}`;
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const config = join(dir, 'orthanc.json');
  await writeFile(
    config,
    JSON.stringify({
      Name: 'nextmask-test',
      StorageDirectory: join(dir, 'storage'),
      IndexDirectory: join(dir, 'storage'),
      HttpPort: port,
      DicomServerEnabled: false,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: true,
      RegisteredUsers: { [user]: password },
      Plugins: [DICOMWEB_PLUGIN],
      DicomWeb: { Enable: true, Root: '/dicom-web/' },
      StorageCompression: false,
      OverwriteInstances: false,
    }),
  );
  let child: ChildProcess | null = null;
  let log = '';

  const rest = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(`${url}${path}`, { ...init, headers: { Authorization: auth, ...init.headers } });
    if (!response.ok) throw new Error(`Orthanc ${init.method ?? 'GET'} ${path}: HTTP ${response.status}`);
    return response;
  };

  const start = async () => {
    const proc = spawn(ORTHANC, [config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    for (let i = 0; i < 200; i++) {
      if (proc.exitCode !== null) throw new Error(`Orthanc exited with ${proc.exitCode}:\n${log.slice(-2000)}`);
      const up = await rest('/system').then(
        () => true,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Orthanc did not start on ${url}:\n${log.slice(-2000)}`);
  };

  const stop = () =>
    new Promise<void>((resolve) => {
      const proc = child;
      child = null;
      if (!proc || proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });

  await start();
  return {
    url,
    dicomWeb: `${url}/dicom-web`,
    user,
    password,
    start,
    stop,
    kill() {
      child?.kill('SIGKILL');
    },
    async upload(paths) {
      let stored = 0;
      for (const path of paths) {
        const response = await fetch(`${url}/instances`, {
          method: 'POST',
          headers: { Authorization: auth, 'Content-Type': 'application/dicom' },
          body: await readFile(path),
        });
        if (response.ok) stored++;
      }
      return stored;
    },
    async breakInstance(sopInstanceUid) {
      const found = (await (await rest('/tools/lookup', { method: 'POST', body: sopInstanceUid })).json()) as {
        ID: string;
      }[];
      const id = found[0]?.ID;
      if (!id) throw new Error(`Orthanc has no instance ${sopInstanceUid}`);
      const { Uuid } = (await (await rest(`/instances/${id}/attachments/dicom/info`)).json()) as { Uuid: string };
      const stored = join(dir, 'storage', Uuid.slice(0, 2), Uuid.slice(2, 4), Uuid);
      const bytes = await readFile(stored);
      await writeFile(stored, bytes.subarray(0, bytes.length >> 1));
    },
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every .dcm file under a folder (the shared DICOM set, to upload whole), sorted by path. The order
 * matters there: transfer-syntaxes/explicit_big.dcm reuses an MR slice's SOP Instance UID, and
 * Orthanc keeps the first instance it is given.
 */
export async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.dcm'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
