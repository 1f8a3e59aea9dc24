import { equalBytes, toHex } from "../../crypto/bytes.js";
import { decodeNode, hashNode, type TreeNode } from "./node.js";
import { NodeCache } from "./nodeCache.js";

/** Where the tree reads nodes it does not hold in memory (the node implements it over level). */
export interface TreeNodeReader {
  /** The encoding stored under `hash`, or undefined when there is none. */
  getNode(hash: Uint8Array): Promise<Uint8Array | undefined>;
}

/** A Map key for a hash: one character per byte, much cheaper to build than hex. */
export function nodeKey(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString("latin1");
}

/** Node reads for the tree: from the cache when it can, else from the reader, checked. */
export class NodeSource {
  private readonly cache: NodeCache;

  constructor(
    private readonly reader: TreeNodeReader,
    cacheNodes: number,
  ) {
    this.cache = new NodeCache(cacheNodes);
  }

  /** The cached node, without I/O. */
  cached(hash: Uint8Array): TreeNode | undefined {
    return this.cache.get(hash);
  }

  remember(hash: Uint8Array, node: TreeNode): void {
    this.cache.set(hash, node);
  }

  /** The node stored under `hash`; throws when the reader has none or returns a corrupt one. */
  async load(hash: Uint8Array): Promise<TreeNode> {
    const hit = this.cache.get(hash);
    if (hit !== undefined) return hit;
    const stored = await this.reader.getNode(hash);
    if (stored === undefined) throw new Error(`state tree node ${toHex(hash)} is missing from the store`);
    const node = decodeNode(stored);
    if (node === undefined || !equalBytes(hashNode(node), hash)) throw new Error(`state tree node ${toHex(hash)} is corrupt in the store`);
    this.cache.set(hash, node);
    return node;
  }
}
