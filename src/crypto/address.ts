import { bytesOfBinary, sha256Binary } from "./hash.js";

export const ADDRESS_LENGTH = 20;

/** An address is the first 20 bytes of SHA-256 of the (compressed) public key. */
export function addressOf(publicKey: Uint8Array): Uint8Array {
  // Copied out of the digest string, not a subarray of a digest: V8's subarray costs more than the hash.
  return bytesOfBinary(sha256Binary(publicKey), ADDRESS_LENGTH);
}
