import { ZERO_HASH, sha256 } from "../../crypto/hash.js";
import type { PathChange, SortedBatch } from "./batch.js";
import { encodeNode, isZeroHash, pathBit, PATH_BITS, type TreeNode } from "./node.js";
import type { NodeSource } from "./nodeStore.js";

// Applies a sorted batch in two phases. Phase one walks down every changed path level by level,
// reading the nodes it needs (all misses of one level in parallel, none of the cached ones
// awaited). Phase two rebuilds bottom-up without I/O, hashing each new node once. The result is
// canonical: a subtree with no leaf is ZERO_HASH, a subtree with one leaf is that leaf, any
// other is an internal node, so the root depends only on the final set of (key, value) pairs.

export interface TreeUpdate {
  readonly root: Uint8Array;
  /**
   * Every node the update created, for the caller to persist. Read-only: the hashes are shared
   * with the tree's cache, the encodings are views of shared chunks.
   */
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
  node: TreeNode | null;
  left: Visit | null;
  right: Visit | null;
}

/** An existing leaf that stays where a subtree is rebuilt. */
interface KeptLeaf {
  readonly path: Uint8Array;
  readonly hash: Uint8Array;
}

/** `root` must be the tree's own copy (it may become a cache key). */
export async function applyBatch(source: NodeSource, root: Uint8Array, batch: SortedBatch): Promise<TreeUpdate> {
  if (batch.length === 0) return { root, nodes: [] };
  const top = await readChangedPaths(source, root, batch);
  const rebuild = new Rebuild(source, batch);
  const result = rebuild.visit(top);
  return { root: new Uint8Array(result.hash), nodes: rebuild.nodes };
}

function newVisit(hash: Uint8Array, depth: number, lo: number, hi: number): Visit {
  return { hash, depth, lo, hi, node: null, left: null, right: null };
}

async function readChangedPaths(source: NodeSource, root: Uint8Array, batch: SortedBatch): Promise<Visit> {
  const top = newVisit(root, 0, 0, batch.length);
  let level: Visit[] = [top];
  while (level.length > 0) {
    const misses: Visit[] = [];
    for (const v of level) {
      if (isZeroHash(v.hash)) continue;
      v.node = source.cached(v.hash) ?? null;
      if (v.node === null) misses.push(v);
    }
    if (misses.length > 0) {
      const nodes = await Promise.all(misses.map((v) => source.load(v.hash)));
      misses.forEach((v, i) => (v.node = nodes[i] as TreeNode));
    }

    const next: Visit[] = [];
    for (const v of level) {
      const node = v.node;
      if (node === null || node.leaf || v.lo === v.hi) continue;
      const mid = batch.split(v.lo, v.hi, v.depth);
      // A side without changes is read only when the other side may end up empty (it has
      // deletes): then this node collapses and the parent must know if that side is a leaf.
      const mayEmpty = batch.hasDeletesIn(v.lo, v.hi);
      if (mid > v.lo) next.push((v.left = newVisit(node.left, v.depth + 1, v.lo, mid)));
      else if (mayEmpty && !isZeroHash(node.left)) next.push((v.left = newVisit(node.left, v.depth + 1, mid, mid)));
      if (mid < v.hi) next.push((v.right = newVisit(node.right, v.depth + 1, mid, v.hi)));
      else if (mayEmpty && !isZeroHash(node.right)) next.push((v.right = newVisit(node.right, v.depth + 1, mid, mid)));
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
    const node = v.node;
    if (v.lo === v.hi) return { hash: v.hash, kind: node === null ? EMPTY : node.leaf ? LEAF : INTERNAL };
    if (node === null) return this.build(v.lo, v.hi, v.depth, null);
    if (node.leaf) {
      const replaced = this.batch.find(v.lo, v.hi, node.path) !== -1;
      return this.build(v.lo, v.hi, v.depth, replaced ? null : { path: node.path, hash: v.hash });
    }
    const left = v.left !== null ? this.visit(v.left) : unread(node.left);
    const right = v.right !== null ? this.visit(v.right) : unread(node.right);
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
    return { hash: this.record({ leaf: true, path: change.path, valueHash: change.valueHash as Uint8Array }), kind: LEAF };
  }

  /** Two sibling subtrees as one: a lone leaf moves up, an empty pair stays empty. */
  private join(left: Subtree, right: Subtree): Subtree {
    if (left.kind === EMPTY && right.kind !== INTERNAL) return lone(right);
    if (right.kind === EMPTY && left.kind !== INTERNAL) return lone(left);
    return { hash: this.record({ leaf: false, left: left.hash, right: right.hash }), kind: INTERNAL };
  }

  private record(node: TreeNode): Uint8Array {
    const encoding = encodeNode(node);
    const hash = sha256(encoding);
    this.nodes.push([hash, encoding]);
    this.source.remember(hash, node);
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
