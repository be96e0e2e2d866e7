// JSON cannot carry typed arrays, so the HTTP transport wraps them as base64. Electron's
// IPC uses structured clone and needs none of this.

const TYPED = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedName = keyof typeof TYPED;
const MARK = '$typed';

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const name = v.constructor.name as TypedName;
      if (!(name in TYPED)) throw new TypeError(`cannot send ${name} over the wire`);
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      return { [MARK]: name, data: toBase64(bytes) };
    }
    return v;
  });
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && MARK in v) {
      const { [MARK]: name, data } = v as { [MARK]: TypedName; data: string };
      const Ctor = TYPED[name];
      if (!Ctor || typeof data !== 'string') throw new TypeError(`bad typed array on the wire: ${String(name)}`);
      const bytes = fromBase64(data);
      return new Ctor(bytes.buffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    return v;
  });
}
