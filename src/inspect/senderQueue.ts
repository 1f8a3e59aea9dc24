import type { PendingTx } from "./pendingTx.js";

/** One sender's pending transactions, ascending nonce. */
export class SenderQueue {
  readonly entries: PendingTx[] = [];
  bytes = 0;
  /** Slot in the eviction heap (-1: not in it). */
  slot = -1;

  get tail(): PendingTx {
    return this.entries[this.entries.length - 1] as PendingTx;
  }

  /** The index of the first entry with a nonce ≥ `nonce`. */
  lowerBound(nonce: number): number {
    const entries = this.entries;
    let hi = entries.length;
    // A sender's next nonce (the common arrival) goes after its tail: no search.
    if (hi === 0 || (entries[hi - 1] as PendingTx).tx.nonce < nonce) return hi;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((entries[mid] as PendingTx).tx.nonce < nonce) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  at(nonce: number): PendingTx | undefined {
    const e = this.entries[this.lowerBound(nonce)];
    return e?.tx.nonce === nonce ? e : undefined;
  }

  /** Inserts `e` in nonce order (no entry of its nonce is here) and returns its index. */
  insert(e: PendingTx): number {
    const entries = this.entries;
    const i = this.lowerBound(e.tx.nonce);
    if (i === entries.length) entries.push(e);
    else entries.splice(i, 0, e);
    this.bytes += e.size;
    return i;
  }

  /** Removes `e` (it is here) and returns the index it had. */
  delete(e: PendingTx): number {
    const entries = this.entries;
    const i = this.lowerBound(e.tx.nonce);
    if (i === entries.length - 1) entries.pop();
    else if (i === 0) entries.shift();
    else entries.splice(i, 1);
    this.bytes -= e.size;
    return i;
  }
}
