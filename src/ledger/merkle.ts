import { equalBytes } from "../crypto/bytes.js";
import { HASH_LENGTH, ZERO_HASH, sha256 } from "../crypto/hash.js";
import type { Encodable } from "./codec.js";
import { TupleReader } from "./tuple.js";

// A binary Merkle tree over a list of 32-byte leaves (transaction and receipt hashes), shaped
// as RFC 6962: leaf = sha256(0x00 || leaf), node = sha256(0x01 || left || right), the list
// split at the largest power of two smaller than its length. The empty list hashes to ZERO_HASH.
// Pairing level by level and promoting an odd last node unchanged gives exactly that shape.

/** An audit path: the siblings from the leaf's level up to the root's children. */
export interface MerkleProof {
  readonly index: number;
  readonly total: number;
  readonly siblings: Uint8Array[];
}

/** log2 of the largest list a proof can describe (indices are safe integers). */
const MAX_PROOF_SIBLINGS = 64;

const leafInput = new Uint8Array(1 + HASH_LENGTH);
const nodeInput = new Uint8Array(1 + 2 * HASH_LENGTH);
nodeInput[0] = 1;

function hashLeaf(leaf: Uint8Array): Uint8Array {
  leafInput.set(leaf, 1);
  return sha256(leafInput);
}

function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_LENGTH);
  return sha256(nodeInput);
}

function leafLevel(leaves: readonly Uint8Array[]): Uint8Array[] {
  return leaves.map((leaf, i) => {
    if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_LENGTH) throw new RangeError(`merkle leaf ${i}: expected ${HASH_LENGTH} bytes`);
    return hashLeaf(leaf);
  });
}

/** The level above `level`, pairing neighbours and promoting an odd last node. */
function parentLevel(level: readonly Uint8Array[]): Uint8Array[] {
  const parents: Uint8Array[] = new Array<Uint8Array>((level.length + 1) >> 1);
  for (let i = 0; i + 1 < level.length; i += 2) parents[i >> 1] = hashNode(level[i] as Uint8Array, level[i + 1] as Uint8Array);
  if (level.length % 2 === 1) parents[level.length >> 1] = level[level.length - 1] as Uint8Array;
  return parents;
}

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return ZERO_HASH;
  let level = leafLevel(leaves);
  while (level.length > 1) level = parentLevel(level);
  return level[0] as Uint8Array;
}

export function merkleProof(leaves: readonly Uint8Array[], index: number): MerkleProof {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`merkle proof index ${index} out of range for ${leaves.length} leaves`);
  }
  const siblings: Uint8Array[] = [];
  let level = leafLevel(leaves);
  let position = index;
  while (level.length > 1) {
    const sibling = position % 2 === 1 ? level[position - 1] : level[position + 1];
    if (sibling !== undefined) siblings.push(sibling);
    level = parentLevel(level);
    position = Math.floor(position / 2);
  }
  return { index, total: leaves.length, siblings };
}

/** Checks that `leaf` sits at `proof.index` of a list of `proof.total` leaves with this root (RFC 9162 §2.1.3.2). Never throws. */
export function verifyMerkleProof(root: Uint8Array, leaf: Uint8Array, proof: MerkleProof): boolean {
  try {
    if (!isHash(root) || !isHash(leaf) || typeof proof !== "object" || proof === null) return false;
    const { index, total, siblings } = proof;
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(total) || index < 0 || index >= total) return false;
    if (!Array.isArray(siblings) || siblings.length > MAX_PROOF_SIBLINGS) return false;
    let fn = index;
    let sn = total - 1;
    let node = hashLeaf(leaf);
    for (const sibling of siblings) {
      if (!isHash(sibling) || sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        node = hashNode(sibling, node);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        node = hashNode(node, sibling);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && equalBytes(node, root);
  } catch {
    return false;
  }
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_LENGTH;
}

export function merkleProofTuple(proof: MerkleProof): Encodable {
  return [proof.index, proof.total, proof.siblings];
}

/** Strict decoding of `merkleProofTuple`; MALFORMED on any deviation. */
export function readMerkleProof(value: Encodable): MerkleProof {
  const r = new TupleReader(value, "merkleProof", 3);
  const index = r.uint("index");
  const total = r.uint("total");
  const list = r.list("siblings", MAX_PROOF_SIBLINGS);
  const lr = new TupleReader(list, "merkleProof.siblings", list.length);
  const siblings = list.map((_, i) => lr.bytes(String(i), HASH_LENGTH));
  return { index, total, siblings };
}
