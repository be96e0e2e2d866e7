// Bearer tokens (a cloud DICOMweb endpoint behind an OAuth gateway): every request carries
// `Authorization: Bearer <token>`, and a refused token is said as such. Orthanc has no bearer
// authentication of its own, so a small loopback server stands in for the gateway.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacsConnection } from '../../shared/pacs-types';
import { PacsClient } from './client';

const TOKEN = 'eyJhbGciOiJub25lIn0.e30.';
let server: Server;
let connection: PacsConnection;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/dicom+json' });
    res.end('[]');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  connection = { name: 'cloud', baseUrl: `http://127.0.0.1:${port}/dicomweb`, auth: 'bearer', timeoutMs: 5000 };
});

afterAll(async () => {
  await new Promise((done) => server?.close(done));
});

describe('bearer token authentication', () => {
  it('sends the token on every request', async () => {
    seen.length = 0;
    const client = new PacsClient(connection, TOKEN);
    expect((await client.test()).message).toMatch(/^cloud: connected, QIDO-RS answered in \d+ ms$/);
    expect((await client.searchStudies({ patientId: '99000' })).studies).toEqual([]);
    expect(seen.map((h) => h.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('says the token was refused, and that a missing token is not stored', async () => {
    await expect(new PacsClient(connection, 'expired').test()).rejects.toThrow(
      /^cloud: test: the server refused the credentials \(HTTP 401\); check the token$/,
    );
    expect(() => new PacsClient(connection, undefined)).toThrow(/^cloud: no token stored$/);
  });
});
