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
  const binary = hash("sha256", data, "binary");
  const digest = new Uint8Array(HASH_LENGTH);
  for (let i = 0; i < HASH_LENGTH; i++) digest[i] = binary.charCodeAt(i);
  return digest;
}

export function sha256Concat(...parts: Uint8Array[]): Uint8Array {
  return sha256(concatBytes(...parts));
}

export const ZERO_HASH: Uint8Array = new Uint8Array(HASH_LENGTH);
