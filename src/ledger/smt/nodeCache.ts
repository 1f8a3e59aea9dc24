import { HASH_LENGTH } from "../../crypto/hash.js";
import type { TreeNode } from "./node.js";

/**
 * A bounded, two-way set-associative cache of decoded nodes keyed by node hash. A node hash
 * is uniformly random, so its first bytes pick the set directly: no string keys, no Map, no
 * allocation per lookup. A set keeps its most recently used node first and evicts the other.
 * Nodes are immutable (addressed by hash), so a cached node is never stale.
 */
export class NodeCache {
  private readonly mask: number;
  private readonly hashes: (Uint8Array | undefined)[];
  private readonly nodes: (TreeNode | undefined)[];

  /** Holds up to `capacity` nodes rounded up to a power of two; 0 caches nothing. */
  constructor(capacity: number) {
    let slots = capacity <= 0 ? 0 : 2;
    while (slots > 0 && slots < capacity) slots *= 2;
    this.mask = (slots - 1) & ~1;
    this.hashes = new Array<Uint8Array | undefined>(slots).fill(undefined);
    this.nodes = new Array<TreeNode | undefined>(slots).fill(undefined);
  }

  get(hash: Uint8Array): TreeNode | undefined {
    if (this.hashes.length === 0) return undefined;
    const first = this.setOf(hash);
    if (sameHash(this.hashes[first], hash)) return this.nodes[first];
    if (!sameHash(this.hashes[first + 1], hash)) return undefined;
    this.swap(first);
    return this.nodes[first];
  }

  set(hash: Uint8Array, node: TreeNode): void {
    if (this.hashes.length === 0) return;
    const first = this.setOf(hash);
    if (sameHash(this.hashes[first], hash)) return;
    if (!sameHash(this.hashes[first + 1], hash)) {
      this.hashes[first + 1] = hash;
      this.nodes[first + 1] = node;
    }
    this.swap(first);
  }

  private setOf(hash: Uint8Array): number {
    return (((hash[0] as number) << 24) | ((hash[1] as number) << 16) | ((hash[2] as number) << 8) | (hash[3] as number)) & this.mask;
  }

  private swap(first: number): void {
    const hash = this.hashes[first];
    const node = this.nodes[first];
    this.hashes[first] = this.hashes[first + 1];
    this.nodes[first] = this.nodes[first + 1];
    this.hashes[first + 1] = hash;
    this.nodes[first + 1] = node;
  }
}

function sameHash(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined) return false;
  for (let i = 0; i < HASH_LENGTH; i++) if (a[i] !== b[i]) return false;
  return true;
}
