// Byte helpers. Hex strings are lower-case and always carry the 0x prefix.

const HEX_RE = /^0x([0-9a-fA-F]{2})*$/;

export function toHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function isHex(value: unknown): value is string {
  return typeof value === "string" && HEX_RE.test(value);
}

/** Parses 0x-prefixed hex; throws TypeError on anything else (callers at the edge check isHex first). */
export function fromHex(hex: string): Uint8Array {
  if (!isHex(hex)) throw new TypeError("expected 0x-prefixed hex of whole bytes");
  return asBytes(Buffer.from(hex.slice(2), "hex"));
}

/** A plain Uint8Array view over the same memory (Buffers from node and msgpackr are normalised here). */
export function asBytes(view: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(view) === Uint8Array.prototype
    ? view
    : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).compare(b);
}

const encoder = new TextEncoder();
/** Longest text copied char by char when it is ASCII (ids, names, state keys); longer goes to TextEncoder. */
const SHORT_TEXT = 64;

export function utf8(text: string): Uint8Array {
  // A call into TextEncoder costs more than copying the char codes of a short ASCII string,
  // which is what state keys are made of (device, profile and metric ids). Same bytes.
  if (text.length > SHORT_TEXT) return encoder.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return encoder.encode(text);
    out[i] = c;
  }
  return out;
}
