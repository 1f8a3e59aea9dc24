import { equalBytes } from "../../crypto/bytes.js";
import { HASH_LENGTH, ZERO_HASH, sha256 } from "../../crypto/hash.js";
import { hashNode, isZeroHash, keyPath, pathBit, PATH_BITS } from "./node.js";
import { BITMAP_LENGTH, type StateProof } from "./proof.js";

/**
 * Checks `proof` against `root`: with a value, that `key` holds exactly that value; with null,
 * that `key` is absent. Pure, no I/O; false (never an exception) on any malformed or tampered proof.
 */
export function verifyStateProof(root: Uint8Array, key: Uint8Array, value: Uint8Array | null, proof: StateProof): boolean {
  try {
    return verify(root, key, value, proof);
  } catch {
    return false;
  }
}

function verify(root: Uint8Array, key: Uint8Array, value: Uint8Array | null, proof: StateProof): boolean {
  if (!isHash(root) || !(key instanceof Uint8Array) || !(value === null || value instanceof Uint8Array)) return false;
  if (typeof proof !== "object" || proof === null) return false;
  const { bitmap, siblings, leaf } = proof;
  if (!(bitmap instanceof Uint8Array) || bitmap.length !== BITMAP_LENGTH || !Array.isArray(siblings)) return false;

  let depth = 0;
  let count = 0;
  for (let i = 0; i < PATH_BITS; i++) {
    if (pathBit(bitmap, i) === 1) {
      depth = i + 1;
      count++;
    }
  }
  if (siblings.length !== count) return false;
  for (const sibling of siblings) if (!isHash(sibling) || isZeroHash(sibling)) return false;

  const path = keyPath(key);
  let node: Uint8Array;
  if (value !== null) {
    if (leaf !== null) return false;
    node = hashNode({ leaf: true, path, valueHash: sha256(value) });
  } else if (leaf === null) {
    node = ZERO_HASH;
  } else {
    if (typeof leaf !== "object" || !isHash(leaf.path) || !isHash(leaf.valueHash)) return false;
    if (equalBytes(leaf.path, path) || !sharesPrefix(leaf.path, path, depth)) return false;
    node = hashNode({ leaf: true, path: leaf.path, valueHash: leaf.valueHash });
  }

  let next = siblings.length - 1;
  for (let d = depth - 1; d >= 0; d--) {
    const sibling = pathBit(bitmap, d) === 1 ? (siblings[next--] as Uint8Array) : ZERO_HASH;
    node = hashNode(pathBit(path, d) === 1 ? { leaf: false, left: sibling, right: node } : { leaf: false, left: node, right: sibling });
  }
  return equalBytes(node, root);
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_LENGTH;
}

function sharesPrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) if (pathBit(a, i) !== pathBit(b, i)) return false;
  return true;
}
