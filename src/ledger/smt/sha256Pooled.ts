import { hash } from "node:crypto";
import { HASH_LENGTH } from "../../crypto/hash.js";

// SHA-256 for the Merkle structures' hot paths: the same digest as crypto/hash.ts's sha256, but
// each digest is a view into a shared slab instead of a Buffer of its own. node:crypto returns
// every Buffer digest with its own off-heap backing store, which costs more to allocate and to
// collect than the hash itself; taking the digest as a binary string and copying it into the
// slab halves the cost per node. (A candidate to move into src/crypto/hash.ts.)

const SLAB_DIGESTS = 2048;
let slab = Buffer.alloc(0);
let slabOffset = 0;

export function sha256Pooled(data: Uint8Array): Uint8Array {
  if (slabOffset === slab.length) {
    slab = Buffer.alloc(SLAB_DIGESTS * HASH_LENGTH);
    slabOffset = 0;
  }
  slab.write(hash("sha256", data, "binary"), slabOffset, HASH_LENGTH, "binary");
  const digest = new Uint8Array(slab.buffer, slab.byteOffset + slabOffset, HASH_LENGTH);
  slabOffset += HASH_LENGTH;
  return digest;
}
