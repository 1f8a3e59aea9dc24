import { ZERO_HASH } from "../../crypto/hash.js";
import { sha256Pooled } from "./sha256Pooled.js";
import type { PathChange, SortedBatch } from "./batch.js";
import { encodeInternal, encodeLeaf, firstHalf, isLeafNode, isZeroHash, pathBit, PATH_BITS, secondHalf } from "./node.js";
import type { NodeSource } from "./nodeStore.js";

// Applies a sorted batch in two phases. Phase one walks down every changed path level by level,
// reading the nodes it needs (all misses of one level in parallel, none of the cached ones
// awaited). Phase two rebuilds bottom-up without I/O, hashing each new node once. The result is
// canonical: a subtree with no leaf is ZERO_HASH, a subtree with one leaf is that leaf, any
// other is an internal node, so the root depends only on the final set of (key, value) pairs.

export interface TreeUpdate {
  readonly root: Uint8Array;
  /** Every node the update created, for the caller to persist. */
  readonly nodes: Array<[hash: Uint8Array, encoding: Uint8Array]>;
}

const EMPTY = 0;
const LEAF = 1;
const INTERNAL = 2;
/** Non-empty, but not read: only allowed where the sibling cannot end up empty. */
const UNREAD = 3;
type Kind = typeof EMPTY | typeof LEAF | typeof INTERNAL | typeof UNREAD;

interface Subtree {
  readonly hash: Uint8Array;
  readonly kind: Kind;
}

const EMPTY_SUBTREE: Subtree = { hash: ZERO_HASH, kind: EMPTY };

/** An existing node on a changed path, with the range of changes below it (lo === hi: read only for its kind). */
interface Visit {
  readonly hash: Uint8Array;
  readonly depth: number;
  readonly lo: number;
  readonly hi: number;
  encoding: Uint8Array | null;
  left: Visit | null;
  right: Visit | null;
}

/** An existing leaf that stays where a subtree is rebuilt. */
interface KeptLeaf {
  readonly path: Uint8Array;
  readonly hash: Uint8Array;
}

export async function applyBatch(source: NodeSource, root: Uint8Array, batch: SortedBatch): Promise<TreeUpdate> {
  // `root` is already the tree's own copy; the new root is copied out of the shared digest slab.
  if (batch.length === 0) return { root, nodes: [] };
  const top = await readChangedPaths(source, root, batch);
  const rebuild = new Rebuild(source, batch);
  return { root: new Uint8Array(rebuild.visit(top).hash), nodes: rebuild.nodes };
}

function newVisit(hash: Uint8Array, depth: number, lo: number, hi: number): Visit {
  return { hash, depth, lo, hi, encoding: null, left: null, right: null };
}

async function readChangedPaths(source: NodeSource, root: Uint8Array, batch: SortedBatch): Promise<Visit> {
  const top = newVisit(root, 0, 0, batch.length);
  let level: Visit[] = [top];
  while (level.length > 0) {
    const reads: Promise<void>[] = [];
    for (const v of level) {
      if (isZeroHash(v.hash)) continue;
      const encoding = source.cached(v.hash);
      if (encoding !== undefined) v.encoding = encoding;
      else reads.push(source.load(v.hash).then((e) => void (v.encoding = e)));
    }
    if (reads.length > 0) await Promise.all(reads);

    const next: Visit[] = [];
    for (const v of level) {
      if (v.encoding === null || v.lo === v.hi || isLeafNode(v.encoding)) continue;
      const mid = batch.split(v.lo, v.hi, v.depth);
      const leftHash = firstHalf(v.encoding);
      const rightHash = secondHalf(v.encoding);
      if (mid > v.lo) next.push((v.left = newVisit(leftHash, v.depth + 1, v.lo, mid)));
      else if (!isZeroHash(leftHash) && batch.hasDeletesIn(v.lo, v.hi)) next.push((v.left = newVisit(leftHash, v.depth + 1, mid, mid)));
      if (mid < v.hi) next.push((v.right = newVisit(rightHash, v.depth + 1, mid, v.hi)));
      else if (!isZeroHash(rightHash) && batch.hasDeletesIn(v.lo, v.hi)) next.push((v.right = newVisit(rightHash, v.depth + 1, mid, mid)));
    }
    level = next;
  }
  return top;
}

class Rebuild {
  readonly nodes: Array<[hash: Uint8Array, encoding: Uint8Array]> = [];

  constructor(
    private readonly source: NodeSource,
    private readonly batch: SortedBatch,
  ) {}

  visit(v: Visit): Subtree {
    const encoding = v.encoding;
    if (v.lo === v.hi) return { hash: v.hash, kind: encoding === null ? EMPTY : isLeafNode(encoding) ? LEAF : INTERNAL };
    if (encoding === null) return this.build(v.lo, v.hi, v.depth, null);
    if (isLeafNode(encoding)) {
      const path = firstHalf(encoding);
      const replaced = this.batch.find(v.lo, v.hi, path) !== -1;
      return this.build(v.lo, v.hi, v.depth, replaced ? null : { path, hash: v.hash });
    }
    const left = v.left !== null ? this.visit(v.left) : unread(firstHalf(encoding));
    const right = v.right !== null ? this.visit(v.right) : unread(secondHalf(encoding));
    return this.join(left, right);
  }

  /** The subtree at `depth` holding the inserts of [lo, hi) and `kept`, where nothing else remains. */
  private build(lo: number, hi: number, depth: number, kept: KeptLeaf | null): Subtree {
    const count = this.batch.insertsIn(lo, hi) + (kept !== null ? 1 : 0);
    if (count === 0) return EMPTY_SUBTREE;
    if (count === 1) return kept !== null ? { hash: kept.hash, kind: LEAF } : this.leaf(this.batch.firstInsert(lo, hi));
    if (depth >= PATH_BITS) throw new Error("state tree update: two distinct leaves share a full path");
    const mid = this.batch.split(lo, hi, depth);
    const keptRight = kept !== null && pathBit(kept.path, depth) === 1;
    return this.join(
      this.build(lo, mid, depth + 1, keptRight ? null : kept),
      this.build(mid, hi, depth + 1, keptRight ? kept : null),
    );
  }

  private leaf(change: PathChange): Subtree {
    return { hash: this.record(encodeLeaf(change.path, change.valueHash as Uint8Array)), kind: LEAF };
  }

  /** Two sibling subtrees as one: a lone leaf moves up, an empty pair stays empty. */
  private join(left: Subtree, right: Subtree): Subtree {
    if (left.kind === EMPTY && right.kind !== INTERNAL) return lone(right);
    if (right.kind === EMPTY && left.kind !== INTERNAL) return lone(left);
    return { hash: this.record(encodeInternal(left.hash, right.hash)), kind: INTERNAL };
  }

  private record(encoding: Uint8Array): Uint8Array {
    const hash = sha256Pooled(encoding);
    this.nodes.push([hash, encoding]);
    this.source.remember(hash, encoding);
    return hash;
  }
}

function unread(hash: Uint8Array): Subtree {
  return isZeroHash(hash) ? EMPTY_SUBTREE : { hash, kind: UNREAD };
}

/** The subtree that stands alone beside an empty sibling: empty or a leaf (never an unread node). */
function lone(subtree: Subtree): Subtree {
  if (subtree.kind === UNREAD) throw new Error("state tree update: a node beside an emptied subtree was not read (bug)");
  return subtree;
}
