// The PACS connections of a workspace, kept as JSON beside its database (pacs-connections.json).
// Secrets are not part of a connection: they go to the SecretStore under the connection's name.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectionSchema, type PacsConnection } from '../../shared/pacs-types';
import * as v from '../../shared/validate';
import { UserFacingError } from '../errors';

export const CONNECTIONS_FILE = 'pacs-connections.json';
export const DEFAULT_TIMEOUT_MS = 30_000;

export class ConnectionStore {
  private readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, CONNECTIONS_FILE);
  }

  list(): PacsConnection[] {
    if (!existsSync(this.path)) return [];
    const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
    return v.array(connectionSchema).parse(parsed, CONNECTIONS_FILE) as PacsConnection[];
  }

  get(name: string): PacsConnection {
    const found = this.list().find((c) => c.name === name);
    if (!found) throw new UserFacingError(`no PACS connection named "${name}": add it in the PACS settings`);
    return found;
  }

  put(connection: PacsConnection): void {
    this.write([...this.list().filter((c) => c.name !== connection.name), connection]);
  }

  delete(name: string): void {
    this.write(this.list().filter((c) => c.name !== name));
  }

  private write(list: PacsConnection[]): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.path}.partial`;
    writeFileSync(tmp, JSON.stringify(list, null, 2));
    renameSync(tmp, this.path);
  }
}
