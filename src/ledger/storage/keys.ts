import { concatBytes } from "../../crypto/bytes.js";

export function prefixed(prefix: number, key: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(prefix), key);
}

/** Heights as 8-byte big-endian, so keys sort by height. */
export function heightKey(prefix: number, height: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = prefix;
  new DataView(out.buffer).setBigUint64(1, BigInt(height));
  return out;
}

export function encodeUint(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

export function decodeUint(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0));
}
