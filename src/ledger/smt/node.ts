import { HASH_LENGTH } from "../../crypto/hash.js";
import { sha256Pooled } from "./sha256Pooled.js";

// Node encodings of the sparse Merkle tree, 65 raw bytes each:
//   leaf     = 0x00 || path(32) || valueHash(32)
//   internal = 0x01 || left(32) || right(32)
// A node's hash is sha256 of its encoding; the empty subtree is ZERO_HASH and is never stored.
// A path is sha256(key), read most significant bit first: bit d chooses the child at depth d.

export const NODE_LENGTH = 1 + 2 * HASH_LENGTH;
export const PATH_BITS = 8 * HASH_LENGTH;

export const NodeTag = { LEAF: 0, INTERNAL: 1 } as const;

export function keyPath(key: Uint8Array): Uint8Array {
  return sha256Pooled(key);
}

export function pathBit(path: Uint8Array, depth: number): number {
  return ((path[depth >> 3] as number) >> (7 - (depth & 7))) & 1;
}

// New encodings are carved from shared 64 KiB chunks: a 65-byte Uint8Array of its own would
// get an off-heap backing store, which costs far more to allocate and collect than the node.
const CHUNK_NODES = 1008;
let chunk = new Uint8Array(0);
let chunkOffset = 0;

function allocateNode(): Uint8Array {
  if (chunkOffset === chunk.length) {
    chunk = new Uint8Array(CHUNK_NODES * NODE_LENGTH);
    chunkOffset = 0;
  }
  return chunk.subarray(chunkOffset, (chunkOffset += NODE_LENGTH));
}

export function encodeLeaf(path: Uint8Array, valueHash: Uint8Array): Uint8Array {
  const encoding = allocateNode();
  encoding[0] = NodeTag.LEAF;
  encoding.set(path, 1);
  encoding.set(valueHash, 1 + HASH_LENGTH);
  return encoding;
}

export function encodeInternal(left: Uint8Array, right: Uint8Array): Uint8Array {
  const encoding = allocateNode();
  encoding[0] = NodeTag.INTERNAL;
  encoding.set(left, 1);
  encoding.set(right, 1 + HASH_LENGTH);
  return encoding;
}

export function isLeafNode(encoding: Uint8Array): boolean {
  return encoding[0] === NodeTag.LEAF;
}

/** The leaf's path, or the internal node's left child. */
export function firstHalf(encoding: Uint8Array): Uint8Array {
  return encoding.subarray(1, 1 + HASH_LENGTH);
}

/** The leaf's value hash, or the internal node's right child. */
export function secondHalf(encoding: Uint8Array): Uint8Array {
  return encoding.subarray(1 + HASH_LENGTH, NODE_LENGTH);
}

export function isWellFormedNode(encoding: Uint8Array): boolean {
  return encoding.length === NODE_LENGTH && (encoding[0] === NodeTag.LEAF || encoding[0] === NodeTag.INTERNAL);
}

/** True for the empty subtree's hash, without allocating. */
export function isZeroHash(hash: Uint8Array): boolean {
  for (let i = 0; i < HASH_LENGTH; i++) if (hash[i] !== 0) return false;
  return true;
}
