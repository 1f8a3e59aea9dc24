import { decode, encode } from "../ledger/codec.js";
import { NetLimits } from "./protocols.js";

/**
 * Collects transactions this node admitted from its own clients and publishes them in batches
 * (one gossip message per batch, not per transaction). Publishing is rate-limited, because
 * gossipsub has no backpressure: past the rate, batches wait in a bounded queue; past the
 * queue, the oldest waiting transactions are not gossiped (they stay in our mempool, and we
 * include them when we propose).
 */
export interface TxBatcherOptions {
  /** Publishes one encoded batch. */
  readonly publish: (batch: Uint8Array) => Promise<void>;
  /** Waits this long for more transactions before publishing a partial batch. */
  readonly flushMs?: number;
  readonly maxBatchTxs?: number;
  readonly maxBatchBytes?: number;
  /** Batches published per second at most. */
  readonly batchesPerSecond?: number;
  /** Bytes waiting to be published at most. */
  readonly maxQueuedBytes?: number;
}

export class TxBatcher {
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private tokens: number;
  private tokensAt = Date.now();
  private closed = false;
  readonly stats = { batches: 0, txs: 0, dropped: 0, failed: 0 };
  private readonly flushMs: number;
  private readonly maxTxs: number;
  private readonly maxBytes: number;
  private readonly rate: number;
  private readonly maxQueued: number;

  constructor(private readonly options: TxBatcherOptions) {
    this.flushMs = options.flushMs ?? 20;
    this.maxTxs = options.maxBatchTxs ?? 500;
    this.maxBytes = options.maxBatchBytes ?? 1024 * 1024;
    this.rate = options.batchesPerSecond ?? 50;
    this.maxQueued = options.maxQueuedBytes ?? 32 * 1024 * 1024;
    this.tokens = this.rate;
  }

  add(txs: readonly Uint8Array[]): void {
    if (this.closed) return;
    for (const tx of txs) {
      this.queue.push(tx);
      this.queuedBytes += tx.length;
    }
    while (this.queuedBytes > this.maxQueued && this.queue.length > 0) {
      this.queuedBytes -= (this.queue.shift() as Uint8Array).length;
      this.stats.dropped++;
    }
    this.schedule(this.queue.length >= this.maxTxs || this.queuedBytes >= this.maxBytes ? 0 : this.flushMs);
  }

  private schedule(delay: number): void {
    if (this.timer !== undefined || this.closed || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
    this.timer.unref?.();
  }

  private flush(): void {
    const now = Date.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.tokensAt) / 1000) * this.rate);
    this.tokensAt = now;
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      const batch: Uint8Array[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && batch.length < this.maxTxs) {
        const next = this.queue[0] as Uint8Array;
        if (batch.length > 0 && bytes + next.length > this.maxBytes) break;
        batch.push(next);
        bytes += next.length;
        this.queue.shift();
      }
      this.queuedBytes -= bytes;
      this.stats.batches++;
      this.stats.txs += batch.length;
      this.options.publish(encodeTxBatch(batch)).catch(() => void this.stats.failed++);
    }
    // Out of tokens: come back when one has accrued.
    if (this.queue.length > 0) this.schedule(Math.ceil(1000 / this.rate));
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.queue = [];
    this.queuedBytes = 0;
  }
}

export function encodeTxBatch(txs: readonly Uint8Array[]): Uint8Array {
  return encode(txs);
}

/** A gossiped batch: a list of 1 to maxBatchTxs byte strings; throws RangeError otherwise. */
export function decodeTxBatch(bytes: Uint8Array): Uint8Array[] {
  const value = decode(bytes);
  if (!Array.isArray(value) || value.length === 0 || value.length > NetLimits.maxBatchTxs || !value.every((v) => v instanceof Uint8Array)) {
    throw new RangeError("not a transaction batch");
  }
  return value as Uint8Array[];
}
