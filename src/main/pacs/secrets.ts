// Where a connection's password or token lives. The desktop app encrypts with Electron's safeStorage
// (the OS keychain's key) into the workspace; plain Node (the CLI, `nextmask serve`, tests) keeps
// secrets in memory for the life of the process. Neither writes a secret in plain text.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretStore {
  get(name: string): string | undefined;
  set(name: string, secret: string): void;
  delete(name: string): void;
}

export class MemorySecrets implements SecretStore {
  private readonly secrets = new Map<string, string>();
  get(name: string): string | undefined {
    return this.secrets.get(name);
  }
  set(name: string, secret: string): void {
    this.secrets.set(name, secret);
  }
  delete(name: string): void {
    this.secrets.delete(name);
  }
}

/** What safeStorage offers (encryptString/decryptString); injectable so this file stays free of Electron. */
export interface Cipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

export const SECRETS_FILE = 'pacs-secrets.json';

/** Ciphertexts by connection name, base64, in one file of the workspace. */
export class EncryptedSecrets implements SecretStore {
  private readonly path: string;

  constructor(
    private readonly dir: string,
    private readonly cipher: Cipher,
  ) {
    this.path = join(dir, SECRETS_FILE);
  }

  private read(): Record<string, string> {
    if (!existsSync(this.path)) return {};
    return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>;
  }

  private write(sealed: Record<string, string>): void {
    const tmp = `${this.path}.partial`;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(tmp, JSON.stringify(sealed, null, 2), { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  get(name: string): string | undefined {
    const sealed = this.read()[name];
    return sealed === undefined ? undefined : this.cipher.decrypt(Buffer.from(sealed, 'base64'));
  }

  set(name: string, secret: string): void {
    this.write({ ...this.read(), [name]: this.cipher.encrypt(secret).toString('base64') });
  }

  delete(name: string): void {
    const { [name]: _gone, ...rest } = this.read();
    this.write(rest);
  }
}
