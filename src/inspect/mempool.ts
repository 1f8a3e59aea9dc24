import { AttestaError } from "../errors.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import { BinaryHeap } from "./binaryHeap.js";
import { selectCandidates } from "./blockCandidates.js";
import { bytesKey as key, compareRate, pendingTx, type PendingTx } from "./pendingTx.js";
import { SenderQueue } from "./senderQueue.js";

export interface MempoolOptions {
  /** Transactions pending in all. */
  readonly maxTxs: number;
  /** Encoded bytes pending in all. */
  readonly maxBytes: number;
  /** Transactions pending per sender. */
  readonly maxPerSender: number;
  /** Encoded bytes pending per sender. */
  readonly maxBytesPerSender: number;
}

export const defaultMempoolOptions: MempoolOptions = {
  maxTxs: 50_000,
  maxBytes: 64 * 1024 * 1024,
  maxPerSender: 1_000,
  maxBytesPerSender: 4 * 1024 * 1024,
};

/** A pending transaction that left the pool without being included, and why. */
export interface DroppedTx {
  readonly tx: SignedTransaction;
  readonly code: TxErrorCode;
}

/** A replacement must pay at least this many tenths of the fee it replaces (+10%). */
const REPLACEMENT_TENTHS = 11n;

/** Eviction order over sender tails: lower fee per byte first, then the newest. */
function evictedFirst(a: SenderQueue, b: SenderQueue): boolean {
  const c = compareRate(a.tail, b.tail);
  return c !== 0 ? c < 0 : a.tail.seq > b.tail.seq;
}

function checkOptions(o: MempoolOptions): MempoolOptions {
  for (const [name, value] of Object.entries(o)) {
    if (!Number.isSafeInteger(value) || (value as number) < 1) throw new RangeError(`mempool ${name} must be a positive integer`);
  }
  return o;
}

/**
 * Pending transactions: per sender in nonce order, within caps on count and bytes, globally
 * and per sender. Every structure holds only pending transactions and the senders that have
 * some, so memory is bounded by the caps whatever arrives.
 *
 * When a cap is reached, room is made by evicting tails only (a sender's highest nonce), so
 * eviction never opens a nonce gap: for the sender's own caps, its transactions with a higher
 * nonce than the newcomer give way (lower nonces are needed first; otherwise MEMPOOL_FULL);
 * for the pool's caps, the tail paying least per byte among the other senders (the newest among
 * equals), as long as the newcomer pays strictly more per byte; otherwise MEMPOOL_FULL and
 * nothing changes. A newcomer never evicts its own sender's transactions for the pool's caps.
 */
export class Mempool {
  private readonly options: MempoolOptions;
  private readonly senders = new Map<string, SenderQueue>();
  private readonly byHash = new Map<string, PendingTx>();
  private readonly evictable = new BinaryHeap<SenderQueue>(evictedFirst, (q, slot) => {
    q.slot = slot;
  });
  /**
   * Whether `evictable` holds every sender. It is built only when a cap is reached (evicting
   * needs it), and dropped when the pool is back to half its caps, so that admissions into a
   * pool with room do not pay to keep it ordered.
   */
  private ranked = false;
  private totalBytes = 0;
  private arrivals = 0;

  constructor(options: Partial<MempoolOptions> = {}) {
    this.options = checkOptions({ ...defaultMempoolOptions, ...options });
  }

  get count(): number {
    return this.byHash.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Senders with pending transactions. */
  get senderCount(): number {
    return this.senders.size;
  }

  has(hash: Uint8Array): boolean {
    return this.byHash.has(key(hash));
  }

  /** Whether this transaction (by its hash) is pending. */
  holds(tx: SignedTransaction): boolean {
    return this.byHash.has(tx.id);
  }

  /**
   * Adds an admitted transaction and returns what it displaced: the pending transaction of the
   * same sender and nonce it replaced (REPLACED) and those evicted to make room (MEMPOOL_FULL).
   * Throws AttestaError: DUPLICATE (same hash pending), REPLACEMENT_UNDERPRICED (same sender and
   * nonce pending, fee not ≥ 110% of it), MEMPOOL_FULL (no room it may take); nothing changes then.
   */
  add(tx: SignedTransaction): DroppedTx[] {
    if (this.byHash.has(tx.id)) throw new AttestaError(TxErrorCode.DUPLICATE, "transaction already pending");
    const entry = pendingTx(tx, this.arrivals);
    let queue = this.senders.get(entry.sender);

    const replaced = queue?.at(tx.nonce);
    if (replaced !== undefined) {
      if (tx.fee * 10n < replaced.tx.fee * REPLACEMENT_TENTHS) {
        throw new AttestaError(TxErrorCode.REPLACEMENT_UNDERPRICED, "a replacement must pay at least 10% more", {
          nonce: tx.nonce,
          pendingFee: replaced.tx.fee.toString(),
        });
      }
      this.detach(replaced);
      queue = this.senders.get(entry.sender); // gone if `replaced` was its only entry
    }
    const evicted: PendingTx[] = [];
    if (!this.makeRoom(entry, queue, evicted)) {
      for (const e of evicted) this.attach(e, this.senders.get(e.sender));
      if (replaced !== undefined) this.attach(replaced, this.senders.get(replaced.sender));
      throw new AttestaError(TxErrorCode.MEMPOOL_FULL, "mempool full", { size: entry.size });
    }
    this.arrivals++;
    // Evicting the sender's own tails may have emptied and dropped its queue.
    this.attach(entry, evicted.length === 0 ? queue : this.senders.get(entry.sender));
    if (evicted.length === 0 && replaced === undefined) return [];
    const dropped: DroppedTx[] = evicted.map((e) => ({ tx: e.tx, code: TxErrorCode.MEMPOOL_FULL }));
    if (replaced !== undefined) dropped.unshift({ tx: replaced.tx, code: TxErrorCode.REPLACED });
    return dropped;
  }

  /** The next nonce of `sender` counting its pending transactions contiguous from `stateNonce`. */
  pendingNonce(sender: Uint8Array, stateNonce: number): number {
    const q = this.senders.get(key(sender));
    if (q === undefined) return stateNonce;
    let nonce = stateNonce;
    for (let i = q.lowerBound(stateNonce); q.entries[i]?.tx.nonce === nonce; i++) nonce++;
    return nonce;
  }

  /**
   * Candidates for the next block, within `maxTxs` and `maxBytes`: repeatedly the transaction
   * paying most per byte (lowest hash among equals) among the senders' next pending nonces, so
   * each sender's transactions come in nonce order. A sender stops at a gap in its nonces or
   * at a transaction that no longer fits the bytes left.
   */
  candidates(maxTxs: number, maxBytes: number): SignedTransaction[] {
    return selectCandidates(this.senders.values(), this.senders.size, maxTxs, maxBytes);
  }

  /** Removes a pending transaction (included, or found invalid); false when it was not pending. */
  remove(tx: SignedTransaction): boolean {
    const entry = this.byHash.get(tx.id);
    if (entry === undefined) return false;
    this.detach(entry);
    this.unrankIfRoomy();
    return true;
  }

  /** Removes the transactions that can no longer be included at `nextHeight` (non-zero expiry below it), and returns them. */
  dropExpired(nextHeight: number): SignedTransaction[] {
    const expired: PendingTx[] = [];
    for (const e of this.byHash.values()) if (e.tx.expiry !== 0 && e.tx.expiry < nextHeight) expired.push(e);
    for (const e of expired) this.detach(e);
    this.unrankIfRoomy();
    return expired.map((e) => e.tx);
  }

  /** All pending transactions (for re-validation after a block). */
  all(): SignedTransaction[] {
    return Array.from(this.byHash.values(), (e) => e.tx);
  }

  /**
   * Evicts tails until `entry` fits every cap (collecting them in `evicted`); false if it may
   * not. `queue` is its sender's queue, if it has one.
   */
  private makeRoom(entry: PendingTx, queue: SenderQueue | undefined, evicted: PendingTx[]): boolean {
    const o = this.options;
    if (entry.size > o.maxBytesPerSender || entry.size > o.maxBytes) return false;
    for (let q = queue; q !== undefined; q = this.senders.get(entry.sender)) {
      if (q.entries.length < o.maxPerSender && q.bytes + entry.size <= o.maxBytesPerSender) break;
      const tail = q.tail;
      if (tail.tx.nonce < entry.tx.nonce) return false;
      this.detach(tail);
      evicted.push(tail);
    }
    // Room already: the eviction heap is not touched (the common case).
    if (this.byHash.size < o.maxTxs && this.totalBytes + entry.size <= o.maxBytes) return true;
    if (!this.ranked) this.rank();
    const own = this.senders.get(entry.sender);
    if (own !== undefined) this.evictable.removeAt(own.slot);
    try {
      while (this.byHash.size >= o.maxTxs || this.totalBytes + entry.size > o.maxBytes) {
        const victim = this.evictable.peek()?.tail;
        if (victim === undefined || compareRate(entry, victim) <= 0) return false;
        this.detach(victim);
        evicted.push(victim);
      }
      return true;
    } finally {
      if (own !== undefined) this.evictable.push(own);
    }
  }

  /** Builds the eviction heap over every sender: from now on attach and detach keep it. */
  private rank(): void {
    for (const q of this.senders.values()) this.evictable.push(q);
    this.ranked = true;
  }

  /**
   * Drops the eviction heap once the pool is back to half its caps: until they are reached
   * again, admissions do not pay for keeping it, and rebuilding it then costs one push per
   * sender, fewer than the admissions it took to fill the pool again.
   */
  private unrankIfRoomy(): void {
    if (!this.ranked || 2 * this.byHash.size > this.options.maxTxs || 2 * this.totalBytes > this.options.maxBytes) return;
    this.evictable.clear();
    this.ranked = false;
  }

  /** Adds `e` to its sender's queue `q` (created when undefined). */
  private attach(e: PendingTx, q: SenderQueue | undefined): void {
    if (q === undefined) {
      q = new SenderQueue();
      this.senders.set(e.sender, q);
    }
    const i = q.insert(e);
    this.byHash.set(e.id, e);
    this.totalBytes += e.size;
    if (!this.ranked) return;
    if (q.slot === -1) this.evictable.push(q);
    else if (i === q.entries.length - 1) this.evictable.update(q.slot);
  }

  private detach(e: PendingTx): void {
    const q = this.senders.get(e.sender) as SenderQueue;
    const i = q.delete(e);
    this.byHash.delete(e.id);
    this.totalBytes -= e.size;
    if (q.entries.length === 0) {
      if (q.slot !== -1) this.evictable.removeAt(q.slot);
      this.senders.delete(e.sender);
    } else if (i === q.entries.length && q.slot !== -1) {
      this.evictable.update(q.slot);
    }
  }
}
