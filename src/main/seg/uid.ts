// DICOM UIDs under the 2.25 root (a UUID as one decimal integer, PS3.5 B.2): no registered
// root needed, and unique without coordination.
import { createHash, randomBytes } from 'node:crypto';

function fromBytes(bytes: Uint8Array): string {
  return `2.25.${BigInt(`0x${Buffer.from(bytes.subarray(0, 16)).toString('hex')}`).toString()}`;
}

export function newUid(): string {
  return fromBytes(randomBytes(16));
}

/** The same input and salt always give the same replacement, so references stay consistent. */
export function derivedUid(uid: string, salt: string): string {
  return fromBytes(createHash('sha256').update(`${salt}\u0000${uid}`).digest());
}
