import { hash } from "node:crypto";
import { concatBytes } from "./bytes.js";

/** Byte length of every digest in Attesta. */
export const HASH_LENGTH = 32;

/**
 * SHA-256 through node:crypto's one-shot hash (faster than a pure-JS hash). The digest is
 * taken as a binary string and copied into a plain 32-byte Uint8Array on V8's heap: a Buffer
 * digest gets its own off-heap allocation, which costs more than the hash itself (about 2x
 * slower on 32-65 bytes, the Merkle trees' inputs).
 */
export function sha256(data: Uint8Array): Uint8Array {
  return bytesOfBinary(sha256Binary(data), HASH_LENGTH);
}

/** SHA-256 as a 32-character binary (latin1) string: a digest that is also a Map key, for free. */
export function sha256Binary(data: Uint8Array): string {
  return hash("sha256", data, "binary");
}

/** The first `length` characters of a binary string as bytes, in a plain Uint8Array of their own. */
export function bytesOfBinary(binary: string, length = binary.length): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function sha256Concat(...parts: Uint8Array[]): Uint8Array {
  return sha256(concatBytes(...parts));
}

export const ZERO_HASH: Uint8Array = new Uint8Array(HASH_LENGTH);
