import type { SignedTransaction } from "../ledger/transaction.js";
import { servedFirst, type PendingTx } from "./pendingTx.js";
import type { SenderQueue } from "./senderQueue.js";

/**
 * Block order between two heads: their fee per byte as doubles (NaN when inexact) decides
 * when the doubles differ, servedFirst otherwise.
 */
function headFirst(ra: number, rb: number, a: PendingTx, b: PendingTx): boolean {
  if (ra > rb) return true;
  if (ra < rb) return false;
  return servedFirst(a, b);
}

/**
 * The block order's max-heap over the senders' next entries, in parallel arrays (entry,
 * comparison key, queue, index after it), sifted with a hole: `selectCandidates` runs for every
 * block over up to every pending transaction.
 */
class HeadHeap {
  readonly entries: PendingTx[] = [];
  readonly queues: SenderQueue[] = [];
  readonly next: number[] = [];
  private readonly keys: Float64Array;

  constructor(senders: Iterable<SenderQueue>, count: number) {
    this.keys = new Float64Array(count);
    for (const q of senders) {
      const e = q.entries[0] as PendingTx;
      this.keys[this.entries.length] = e.exactRate ? e.rate : NaN;
      this.entries.push(e);
      this.queues.push(q);
      this.next.push(1);
    }
    for (let i = (this.entries.length >> 1) - 1; i >= 0; i--) this.siftDown(i, this.entries[i] as PendingTx, this.queues[i] as SenderQueue, this.next[i] as number);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Replaces the top with `e`, its queue's entry before index `next`. */
  replaceTop(e: PendingTx, next: number): void {
    this.siftDown(0, e, this.queues[0] as SenderQueue, next);
  }

  popTop(): void {
    const last = this.entries.length - 1;
    const e = this.entries.pop() as PendingTx;
    const q = this.queues.pop() as SenderQueue;
    const k = this.next.pop() as number;
    if (last > 0) this.siftDown(0, e, q, k);
  }

  private siftDown(i: number, e: PendingTx, q: SenderQueue, k: number): void {
    const { entries, queues, next, keys } = this;
    const n = entries.length;
    const key = e.exactRate ? e.rate : NaN;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && headFirst(keys[child + 1] as number, keys[child] as number, entries[child + 1] as PendingTx, entries[child] as PendingTx)) child++;
      if (!headFirst(keys[child] as number, key, entries[child] as PendingTx, e)) break;
      entries[i] = entries[child] as PendingTx;
      queues[i] = queues[child] as SenderQueue;
      next[i] = next[child] as number;
      keys[i] = keys[child] as number;
      i = child;
    }
    entries[i] = e;
    queues[i] = q;
    next[i] = k;
    keys[i] = key;
  }
}

/**
 * Candidates for the next block, within `maxTxs` and `maxBytes`: repeatedly the transaction
 * paying most per byte (lowest hash among equals) among the senders' next pending nonces, so
 * each sender's transactions come in nonce order. A sender stops at a gap in its nonces or
 * at a transaction that no longer fits the bytes left. `count` is the number of senders.
 */
export function selectCandidates(senders: Iterable<SenderQueue>, count: number, maxTxs: number, maxBytes: number): SignedTransaction[] {
  const heap = new HeadHeap(senders, count);
  const out: SignedTransaction[] = [];
  let bytes = 0;
  while (out.length < maxTxs && heap.size > 0) {
    const e = heap.entries[0] as PendingTx;
    const i = heap.next[0] as number;
    const following = (heap.queues[0] as SenderQueue).entries[i];
    if (bytes + e.size <= maxBytes) {
      out.push(e.tx);
      bytes += e.size;
      if (following !== undefined && following.tx.nonce === e.tx.nonce + 1) {
        heap.replaceTop(following, i + 1);
        continue;
      }
    }
    heap.popTop(); // this sender is done: a gap, its last transaction, or one that no longer fits
  }
  return out;
}
