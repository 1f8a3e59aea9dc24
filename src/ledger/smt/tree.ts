import { equalBytes } from "../../crypto/bytes.js";
import { HASH_LENGTH } from "../../crypto/hash.js";
import { SortedBatch, type StateChange } from "./batch.js";
import { isZeroHash, keyPath, pathBit, PATH_BITS } from "./node.js";
import { NodeSource, type TreeNodeReader } from "./nodeStore.js";
import { defaultSparseMerkleTreeOptions, type SparseMerkleTreeOptions } from "./options.js";
import { BITMAP_LENGTH, type StateProof } from "./proof.js";
import { applyBatch, type TreeUpdate } from "./update.js";

/**
 * The binary sparse Merkle tree that commits the key-value state. It holds no root of its own:
 * every call names the root it works from, and nodes are never deleted, so any past root stays
 * readable and provable. New nodes are returned for the caller to persist.
 */
export class SparseMerkleTree {
  private readonly source: NodeSource;

  constructor(reader: TreeNodeReader, options: SparseMerkleTreeOptions = {}) {
    const cacheNodes = options.cacheNodes ?? defaultSparseMerkleTreeOptions.cacheNodes;
    if (!Number.isSafeInteger(cacheNodes) || cacheNodes < 0) throw new RangeError("cacheNodes must be a non-negative integer");
    this.source = new NodeSource(reader, cacheNodes);
  }

  /** Applies a whole batch (`value: null` deletes); a key may appear once per batch. */
  async update(root: Uint8Array, changes: readonly StateChange[]): Promise<TreeUpdate> {
    const from = ownRoot(root);
    if (!Array.isArray(changes)) throw new TypeError("state tree update: changes must be an array");
    return applyBatch(this.source, from, new SortedBatch(changes));
  }

  async prove(root: Uint8Array, key: Uint8Array): Promise<StateProof> {
    let hash = ownRoot(root);
    if (!(key instanceof Uint8Array)) throw new TypeError("state tree proof: key must be a Uint8Array");
    const path = keyPath(key);
    const bitmap = new Uint8Array(BITMAP_LENGTH);
    const siblings: Uint8Array[] = [];
    for (let depth = 0; !isZeroHash(hash); depth++) {
      const node = await this.source.load(hash);
      if (node.leaf) {
        const leaf = equalBytes(node.path, path) ? null : { path: new Uint8Array(node.path), valueHash: new Uint8Array(node.valueHash) };
        return { bitmap, siblings, leaf };
      }
      if (depth >= PATH_BITS) throw new Error("state tree proof: internal node below the deepest level");
      const right = pathBit(path, depth) === 1;
      const sibling = right ? node.left : node.right;
      if (!isZeroHash(sibling)) {
        bitmap[depth >> 3]! |= 0x80 >> (depth & 7);
        siblings.push(new Uint8Array(sibling));
      }
      hash = right ? node.right : node.left;
    }
    return { bitmap, siblings, leaf: null };
  }
}

/** A private copy of the caller's root: it may become a cache key, and the caller may reuse its array. */
function ownRoot(root: Uint8Array): Uint8Array {
  if (!(root instanceof Uint8Array) || root.length !== HASH_LENGTH) throw new RangeError(`state root must be ${HASH_LENGTH} bytes`);
  return new Uint8Array(root);
}
