import { hash } from "node:crypto";
import { HASH_LENGTH } from "../../crypto/hash.js";

// SHA-256 for the Merkle structures' hot paths: the same digest as crypto/hash.ts's sha256, as a
// plain 32-byte Uint8Array that V8 keeps on its heap. node:crypto's Buffer digests each get an
// off-heap backing store, which costs more to allocate and collect than the hash itself; taking
// the digest as a binary string and copying its 32 characters is about 2.5 times cheaper, and
// nothing is shared, so a cached node never pins a larger allocation. (A candidate to replace
// the implementation in src/crypto/hash.ts.)
export function sha256Small(data: Uint8Array): Uint8Array {
  const binary = hash("sha256", data, "binary");
  const digest = new Uint8Array(HASH_LENGTH);
  for (let i = 0; i < HASH_LENGTH; i++) digest[i] = binary.charCodeAt(i);
  return digest;
}
