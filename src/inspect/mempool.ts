import { AttestaError } from "../errors.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import { BinaryHeap } from "./binaryHeap.js";

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
const MAX_EXACT_FEE = BigInt(Number.MAX_SAFE_INTEGER);

const key = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");

interface Entry {
  readonly tx: SignedTransaction;
  readonly id: string;
  readonly sender: string;
  readonly size: number;
  /** The fee as a double, and the fee per byte; both exact orders when `exactRate` (see compareRate). */
  readonly feeNumber: number;
  readonly rate: number;
  readonly exactRate: boolean;
  /** Arrival order, to evict the newest among equals. */
  readonly seq: number;
}

/**
 * Fee per byte of `a` against `b`: positive when `a` pays more. For fees up to 2^53 the double
 * quotient of two exact integers is correctly rounded, and rounding is monotonic, so two
 * different doubles order like the exact quotients. Otherwise the quotients are compared
 * cross-multiplied: in doubles while the products stay exact integers, else in bigint.
 */
function compareRate(a: Entry, b: Entry): number {
  if (a.exactRate && b.exactRate) {
    if (a.rate !== b.rate) return a.rate > b.rate ? 1 : -1;
    const l = a.feeNumber * b.size;
    const r = b.feeNumber * a.size;
    if (l <= Number.MAX_SAFE_INTEGER && r <= Number.MAX_SAFE_INTEGER) return l > r ? 1 : l < r ? -1 : 0;
  }
  const l = a.tx.fee * BigInt(b.size);
  const r = b.tx.fee * BigInt(a.size);
  return l > r ? 1 : l < r ? -1 : 0;
}

/** Block order: higher fee per byte first, then lower hash (deterministic). */
function servedFirst(a: Entry, b: Entry): boolean {
  const c = compareRate(a, b);
  return c !== 0 ? c > 0 : a.id < b.id;
}

/** One sender's pending transactions, ascending nonce. */
class SenderQueue {
  readonly entries: Entry[] = [];
  bytes = 0;
  /** Slot in the eviction heap (-1: not in it). */
  slot = -1;

  constructor(readonly id: string) {}

  get tail(): Entry {
    return this.entries[this.entries.length - 1] as Entry;
  }

  /** The index of the first entry with a nonce ≥ `nonce`. */
  lowerBound(nonce: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as Entry).tx.nonce < nonce) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  at(nonce: number): Entry | undefined {
    const e = this.entries[this.lowerBound(nonce)];
    return e?.tx.nonce === nonce ? e : undefined;
  }
}

/** Eviction order over sender tails: lower fee per byte first, then the newest. */
function evictedFirst(a: SenderQueue, b: SenderQueue): boolean {
  const c = compareRate(a.tail, b.tail);
  return c !== 0 ? c < 0 : a.tail.seq > b.tail.seq;
}

/**
 * Block order between two heads: their fee per byte as doubles (NaN when inexact) decides
 * when the doubles differ, servedFirst otherwise.
 */
function headFirst(ra: number, rb: number, a: Entry, b: Entry): boolean {
  if (ra > rb) return true;
  if (ra < rb) return false;
  return servedFirst(a, b);
}

/**
 * The block order's max-heap over the senders' next entries, in parallel arrays (entry,
 * comparison key, queue, index after it), sifted with a hole: `candidates` runs for every
 * block over up to every pending transaction.
 */
class HeadHeap {
  readonly entries: Entry[] = [];
  readonly queues: SenderQueue[] = [];
  readonly next: number[] = [];
  private readonly keys: Float64Array;

  constructor(senders: Iterable<SenderQueue>, count: number) {
    this.keys = new Float64Array(count);
    for (const q of senders) {
      const e = q.entries[0] as Entry;
      this.keys[this.entries.length] = e.exactRate ? e.rate : NaN;
      this.entries.push(e);
      this.queues.push(q);
      this.next.push(1);
    }
    for (let i = (this.entries.length >> 1) - 1; i >= 0; i--) this.siftDown(i, this.entries[i] as Entry, this.queues[i] as SenderQueue, this.next[i] as number);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Replaces the top with `e`, its queue's entry before index `next`. */
  replaceTop(e: Entry, next: number): void {
    this.siftDown(0, e, this.queues[0] as SenderQueue, next);
  }

  popTop(): void {
    const last = this.entries.length - 1;
    const e = this.entries.pop() as Entry;
    const q = this.queues.pop() as SenderQueue;
    const k = this.next.pop() as number;
    if (last > 0) this.siftDown(0, e, q, k);
  }

  private siftDown(i: number, e: Entry, q: SenderQueue, k: number): void {
    const { entries, queues, next, keys } = this;
    const n = entries.length;
    const key = e.exactRate ? e.rate : NaN;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && headFirst(keys[child + 1] as number, keys[child] as number, entries[child + 1] as Entry, entries[child] as Entry)) child++;
      if (!headFirst(keys[child] as number, key, entries[child] as Entry, e)) break;
      entries[i] = entries[child] as Entry;
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
  private readonly byHash = new Map<string, Entry>();
  private readonly evictable = new BinaryHeap<SenderQueue>(evictedFirst, (q, slot) => {
    q.slot = slot;
  });
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

  /**
   * Adds an admitted transaction and returns what it displaced: the pending transaction of the
   * same sender and nonce it replaced (REPLACED) and those evicted to make room (MEMPOOL_FULL).
   * Throws AttestaError: DUPLICATE (same hash pending), REPLACEMENT_UNDERPRICED (same sender and
   * nonce pending, fee not ≥ 110% of it), MEMPOOL_FULL (no room it may take); nothing changes then.
   */
  add(tx: SignedTransaction): DroppedTx[] {
    const id = key(tx.hash);
    if (this.byHash.has(id)) throw new AttestaError(TxErrorCode.DUPLICATE, "transaction already pending");
    const size = tx.bytes.length;
    const exactRate = tx.fee <= MAX_EXACT_FEE;
    const feeNumber = Number(tx.fee);
    const entry: Entry = { tx, id, sender: key(tx.sender), size, feeNumber, rate: feeNumber / size, exactRate, seq: this.arrivals };

    const replaced = this.senders.get(entry.sender)?.at(tx.nonce);
    if (replaced !== undefined) {
      if (tx.fee * 10n < replaced.tx.fee * REPLACEMENT_TENTHS) {
        throw new AttestaError(TxErrorCode.REPLACEMENT_UNDERPRICED, "a replacement must pay at least 10% more", {
          nonce: tx.nonce,
          pendingFee: replaced.tx.fee.toString(),
        });
      }
      this.detach(replaced);
    }
    const evicted: Entry[] = [];
    if (!this.makeRoom(entry, evicted)) {
      for (const e of evicted) this.attach(e);
      if (replaced !== undefined) this.attach(replaced);
      throw new AttestaError(TxErrorCode.MEMPOOL_FULL, "mempool full", { size });
    }
    this.arrivals++;
    this.attach(entry);
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
    const heap = new HeadHeap(this.senders.values(), this.senders.size);
    const out: SignedTransaction[] = [];
    let bytes = 0;
    while (out.length < maxTxs && heap.size > 0) {
      const e = heap.entries[0] as Entry;
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

  /** Removes a pending transaction (included, or found invalid); false when it was not pending. */
  remove(tx: SignedTransaction): boolean {
    const entry = this.byHash.get(key(tx.hash));
    if (entry === undefined) return false;
    this.detach(entry);
    return true;
  }

  /** Removes every pending transaction of `sender` with a nonce below `stateNonce`, and returns them. */
  pruneSender(sender: Uint8Array, stateNonce: number): SignedTransaction[] {
    const q = this.senders.get(key(sender));
    if (q === undefined) return [];
    const stale = q.entries.slice(0, q.lowerBound(stateNonce));
    for (const e of stale) this.detach(e);
    return stale.map((e) => e.tx);
  }

  /** Removes the transactions that can no longer be included at `nextHeight` (non-zero expiry below it), and returns them. */
  dropExpired(nextHeight: number): SignedTransaction[] {
    const expired: Entry[] = [];
    for (const e of this.byHash.values()) if (e.tx.expiry !== 0 && e.tx.expiry < nextHeight) expired.push(e);
    for (const e of expired) this.detach(e);
    return expired.map((e) => e.tx);
  }

  /** All pending transactions (for re-validation after a block). */
  all(): SignedTransaction[] {
    return Array.from(this.byHash.values(), (e) => e.tx);
  }

  /** Evicts tails until `entry` fits every cap (collecting them in `evicted`); false if it may not. */
  private makeRoom(entry: Entry, evicted: Entry[]): boolean {
    const o = this.options;
    if (entry.size > o.maxBytesPerSender || entry.size > o.maxBytes) return false;
    for (let q = this.senders.get(entry.sender); q !== undefined; q = this.senders.get(entry.sender)) {
      if (q.entries.length < o.maxPerSender && q.bytes + entry.size <= o.maxBytesPerSender) break;
      const tail = q.tail;
      if (tail.tx.nonce < entry.tx.nonce) return false;
      this.detach(tail);
      evicted.push(tail);
    }
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

  private attach(e: Entry): void {
    let q = this.senders.get(e.sender);
    if (q === undefined) {
      q = new SenderQueue(e.sender);
      this.senders.set(e.sender, q);
    }
    const i = q.lowerBound(e.tx.nonce);
    q.entries.splice(i, 0, e);
    q.bytes += e.size;
    this.byHash.set(e.id, e);
    this.totalBytes += e.size;
    if (q.slot === -1) this.evictable.push(q);
    else if (i === q.entries.length - 1) this.evictable.update(q.slot);
  }

  private detach(e: Entry): void {
    const q = this.senders.get(e.sender) as SenderQueue;
    const i = q.lowerBound(e.tx.nonce);
    q.entries.splice(i, 1);
    q.bytes -= e.size;
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
