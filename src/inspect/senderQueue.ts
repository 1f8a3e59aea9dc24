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
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as PendingTx).tx.nonce < nonce) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  at(nonce: number): PendingTx | undefined {
    const e = this.entries[this.lowerBound(nonce)];
    return e?.tx.nonce === nonce ? e : undefined;
  }
}
