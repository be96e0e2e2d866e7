// TLS: a server whose certificate comes from a hospital's own CA is refused with a message naming the
// fix, and trusted once the connection names that CA's file. Certificates are made here with openssl.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacsConnection } from '../../shared/pacs-types';
import { PacsClient } from './client';

let dir: string;
let server: Server;
let connection: PacsConnection;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-pacs-tls-'));
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Test Hospital CA',
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=pacs');
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  server = createServer(
    { key: await readFile(join(dir, 'server.key')), cert: await readFile(join(dir, 'server.pem')) },
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dicom+json' });
      res.end('[]');
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  connection = { name: 'hospital', baseUrl: `https://127.0.0.1:${port}/dicom-web`, auth: 'none', timeoutMs: 5000 };
});

afterAll(async () => {
  await new Promise((done) => server?.close(done));
  await rm(dir, { recursive: true, force: true });
});

describe('TLS trust', () => {
  it('refuses a certificate from an unknown CA and says what to add', async () => {
    await expect(new PacsClient(connection, undefined).test()).rejects.toThrow(
      /^hospital: test: the server's certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); add its CA file$/,
    );
  });

  it("trusts it with the CA's file, on top of the system's", async () => {
    const client = new PacsClient({ ...connection, caFile: join(dir, 'ca.pem') }, undefined);
    await expect(client.test()).resolves.toMatchObject({ message: expect.stringMatching(/^hospital: connected/) });
  });

  it('names a CA file it cannot read', () => {
    expect(() => new PacsClient({ ...connection, caFile: join(dir, 'missing.pem') }, undefined)).toThrow(
      /^cannot read the CA file .*missing\.pem/,
    );
  });
});
