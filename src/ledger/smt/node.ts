import { asBytes } from "../../crypto/bytes.js";
import { HASH_LENGTH, sha256 } from "../../crypto/hash.js";

// Nodes of the sparse Merkle tree. Encodings are 65 raw bytes:
//   leaf     = 0x00 || path(32) || valueHash(32)
//   internal = 0x01 || left(32) || right(32)
// A node's hash is sha256 of its encoding; the empty subtree is ZERO_HASH and is never stored.
// A path is sha256(key), read most significant bit first: bit d chooses the child at depth d.
// In memory a node is decoded into two 32-byte arrays, which new nodes share with their
// children's hashes: nothing is copied, and nothing small pins a large buffer.

export const NODE_LENGTH = 1 + 2 * HASH_LENGTH;
export const PATH_BITS = 8 * HASH_LENGTH;

const LEAF_TAG = 0;
const INTERNAL_TAG = 1;

export type TreeNode = LeafNode | InternalNode;

export interface LeafNode {
  readonly leaf: true;
  readonly path: Uint8Array;
  readonly valueHash: Uint8Array;
}

export interface InternalNode {
  readonly leaf: false;
  readonly left: Uint8Array;
  readonly right: Uint8Array;
}

export function keyPath(key: Uint8Array): Uint8Array {
  return sha256(key);
}

export function pathBit(path: Uint8Array, depth: number): number {
  return ((path[depth >> 3] as number) >> (7 - (depth & 7))) & 1;
}

// Encodings are carved from shared 64 KiB chunks: a 65-byte Uint8Array of its own would get an
// off-heap backing store, which costs more to allocate and collect than the node. Only the
// caller keeps encodings (to persist them); the tree keeps decoded nodes.
const CHUNK_NODES = 1008;
let chunk = new Uint8Array(0);
let chunkOffset = 0;

export function encodeNode(node: TreeNode): Uint8Array {
  if (chunkOffset === chunk.length) {
    chunk = new Uint8Array(CHUNK_NODES * NODE_LENGTH);
    chunkOffset = 0;
  }
  const encoding = chunk.subarray(chunkOffset, (chunkOffset += NODE_LENGTH));
  writeNode(encoding, node);
  return encoding;
}

function writeNode(target: Uint8Array, node: TreeNode): void {
  target[0] = node.leaf ? LEAF_TAG : INTERNAL_TAG;
  target.set(node.leaf ? node.path : node.left, 1);
  target.set(node.leaf ? node.valueHash : node.right, 1 + HASH_LENGTH);
}

const scratch = new Uint8Array(NODE_LENGTH);

/** The node's hash, without keeping its encoding. */
export function hashNode(node: TreeNode): Uint8Array {
  writeNode(scratch, node);
  return sha256(scratch);
}

/** A stored encoding as a node of its own (copied), or undefined when it is not 65 bytes with a known tag. */
export function decodeNode(stored: Uint8Array): TreeNode | undefined {
  const encoding = asBytes(stored);
  if (encoding.length !== NODE_LENGTH) return undefined;
  const first = encoding.slice(1, 1 + HASH_LENGTH);
  const second = encoding.slice(1 + HASH_LENGTH, NODE_LENGTH);
  if (encoding[0] === LEAF_TAG) return { leaf: true, path: first, valueHash: second };
  if (encoding[0] === INTERNAL_TAG) return { leaf: false, left: first, right: second };
  return undefined;
}

/** True for the empty subtree's hash, without allocating. */
export function isZeroHash(hash: Uint8Array): boolean {
  for (let i = 0; i < HASH_LENGTH; i++) if (hash[i] !== 0) return false;
  return true;
}
