import { HASH_LENGTH } from "../../crypto/hash.js";

/**
 * A bounded, two-way set-associative cache of node encodings keyed by node hash. A node hash
 * is uniformly random, so its first bytes pick the set directly: no string keys, no Map, no
 * allocation per lookup. A set keeps its most recently used node first and evicts the other.
 * Nodes are immutable (addressed by hash), so a cached node is never stale.
 */
export class NodeCache {
  private readonly mask: number;
  private readonly hashes: (Uint8Array | undefined)[];
  private readonly encodings: (Uint8Array | undefined)[];

  /** Holds up to `capacity` nodes rounded up to a power of two; 0 caches nothing. */
  constructor(capacity: number) {
    const slots = capacity <= 0 ? 0 : Math.max(2, 2 ** Math.ceil(Math.log2(capacity)));
    this.mask = (slots - 1) & ~1;
    this.hashes = new Array<Uint8Array | undefined>(slots).fill(undefined);
    this.encodings = new Array<Uint8Array | undefined>(slots).fill(undefined);
  }

  get(hash: Uint8Array): Uint8Array | undefined {
    if (this.hashes.length === 0) return undefined;
    const first = this.setOf(hash);
    if (sameHash(this.hashes[first], hash)) return this.encodings[first];
    if (!sameHash(this.hashes[first + 1], hash)) return undefined;
    this.swap(first);
    return this.encodings[first];
  }

  set(hash: Uint8Array, encoding: Uint8Array): void {
    if (this.hashes.length === 0) return;
    const first = this.setOf(hash);
    if (sameHash(this.hashes[first], hash)) return;
    if (!sameHash(this.hashes[first + 1], hash)) {
      this.hashes[first + 1] = hash;
      this.encodings[first + 1] = encoding;
    }
    this.swap(first);
  }

  private setOf(hash: Uint8Array): number {
    return (((hash[0] as number) << 24) | ((hash[1] as number) << 16) | ((hash[2] as number) << 8) | (hash[3] as number)) & this.mask;
  }

  private swap(first: number): void {
    const hash = this.hashes[first];
    const encoding = this.encodings[first];
    this.hashes[first] = this.hashes[first + 1];
    this.encodings[first] = this.encodings[first + 1];
    this.hashes[first + 1] = hash;
    this.encodings[first + 1] = encoding;
  }
}

function sameHash(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined) return false;
  for (let i = 0; i < HASH_LENGTH; i++) if (a[i] !== b[i]) return false;
  return true;
}
