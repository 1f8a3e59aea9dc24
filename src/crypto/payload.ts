import { sha256 } from "./hash.js";

/**
 * What a signature covers. Every scheme signs the 32-byte `digest` = SHA-256(`message`)
 * (ECDSA with no further hashing; Ed25519 over the digest as its message). The message is
 * kept because node:crypto's ECDSA can only verify a digest it computes itself.
 */
export interface SignedPayload {
  readonly message: Uint8Array;
  readonly digest: Uint8Array;
}

export function signedPayload(message: Uint8Array): SignedPayload {
  return { message, digest: sha256(message) };
}

/**
 * A payload that keeps no digest: it hashes its message when `digest` is read (each time: read
 * it once). P-256 verification (node:crypto hashes the message itself) never reads it.
 */
export abstract class HashedOnRead implements SignedPayload {
  abstract readonly message: Uint8Array;

  get digest(): Uint8Array {
    return sha256(this.message);
  }
}

/** A message kept as it is, hashed on read (a verification worker's job). */
export class MessagePayload extends HashedOnRead {
  constructor(readonly message: Uint8Array) {
    super();
  }
}
