import { hash } from "node:crypto";
import { asBytes, concatBytes } from "./bytes.js";

/** Byte length of every digest in Attesta. */
export const HASH_LENGTH = 32;

/** SHA-256 through node:crypto's one-shot hash (the hot path: faster than a pure-JS hash). */
export function sha256(data: Uint8Array): Uint8Array {
  return asBytes(hash("sha256", data, "buffer"));
}

export function sha256Concat(...parts: Uint8Array[]): Uint8Array {
  return sha256(concatBytes(...parts));
}

export const ZERO_HASH: Uint8Array = new Uint8Array(HASH_LENGTH);
