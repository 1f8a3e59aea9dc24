import { sha256 } from "../../crypto/hash.js";
import { compareBytes } from "../../crypto/bytes.js";
import { keyPath, pathBit } from "./node.js";

/** One change to the state: set `key` to `value`, or delete it when `value` is null. */
export interface StateChange {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** A change addressed by its path; `valueHash` null deletes. */
export interface PathChange {
  readonly path: Uint8Array;
  readonly valueHash: Uint8Array | null;
  /** The path's first four bytes as an unsigned integer: most comparisons end here. */
  readonly head: number;
}

/**
 * A batch sorted by path, so every subtree's changes are one contiguous range and each
 * range splits into its left and right halves at one index.
 */
export class SortedBatch {
  readonly changes: readonly PathChange[];
  /** insertsBefore[i] = how many of changes[0..i) set a value. */
  private readonly insertsBefore: Int32Array;

  constructor(changes: readonly StateChange[]) {
    const sorted = changes.map(toPathChange);
    sorted.sort(comparePathChanges);
    const insertsBefore = new Int32Array(sorted.length + 1);
    for (let i = 0; i < sorted.length; i++) {
      const change = sorted[i] as PathChange;
      if (i > 0 && comparePathChanges(sorted[i - 1] as PathChange, change) === 0) {
        throw new RangeError("state tree update: the same key appears twice in one batch");
      }
      insertsBefore[i + 1] = (insertsBefore[i] as number) + (change.valueHash === null ? 0 : 1);
    }
    this.changes = sorted;
    this.insertsBefore = insertsBefore;
  }

  get length(): number {
    return this.changes.length;
  }

  at(i: number): PathChange {
    return this.changes[i] as PathChange;
  }

  insertsIn(lo: number, hi: number): number {
    return (this.insertsBefore[hi] as number) - (this.insertsBefore[lo] as number);
  }

  hasDeletesIn(lo: number, hi: number): boolean {
    return this.insertsIn(lo, hi) < hi - lo;
  }

  /** The first index in [lo, hi) whose path has bit `depth` set (hi when none); the range shares bits above `depth`. */
  split(lo: number, hi: number, depth: number): number {
    let a = lo;
    let b = hi;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (pathBit(this.at(mid).path, depth) === 0) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  /** The first change in [lo, hi) that sets a value; the caller knows there is one. */
  firstInsert(lo: number, hi: number): PathChange {
    const target = (this.insertsBefore[lo] as number) + 1;
    let a = lo;
    let b = hi - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if ((this.insertsBefore[mid + 1] as number) >= target) b = mid;
      else a = mid + 1;
    }
    return this.at(a);
  }

  /** The index in [lo, hi) of the change to `path`, or -1. */
  find(lo: number, hi: number, path: Uint8Array): number {
    const probe: PathChange = { path, valueHash: null, head: pathHead(path) };
    let a = lo;
    let b = hi;
    while (a < b) {
      const mid = (a + b) >> 1;
      const order = comparePathChanges(this.at(mid), probe);
      if (order === 0) return mid;
      if (order < 0) a = mid + 1;
      else b = mid;
    }
    return -1;
  }
}

function toPathChange(change: StateChange, i: number): PathChange {
  if (typeof change !== "object" || change === null || !(change.key instanceof Uint8Array)) {
    throw new TypeError(`state tree update: change ${i} needs a Uint8Array key`);
  }
  if (change.value !== null && !(change.value instanceof Uint8Array)) {
    throw new TypeError(`state tree update: change ${i} needs a Uint8Array value or null`);
  }
  const path = keyPath(change.key);
  return { path, valueHash: change.value === null ? null : sha256(change.value), head: pathHead(path) };
}

function pathHead(path: Uint8Array): number {
  return (((path[0] as number) << 24) | ((path[1] as number) << 16) | ((path[2] as number) << 8) | (path[3] as number)) >>> 0;
}

function comparePathChanges(a: PathChange, b: PathChange): number {
  return a.head !== b.head ? a.head - b.head : compareBytes(a.path, b.path);
}
