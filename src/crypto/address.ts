import { sha256 } from "./hash.js";

export const ADDRESS_LENGTH = 20;

/** An address is the first 20 bytes of SHA-256 of the (compressed) public key. */
export function addressOf(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).subarray(0, ADDRESS_LENGTH);
}
