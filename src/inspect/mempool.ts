import { AttestaError } from "../errors.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { TxErrorCode } from "../ledger/txErrors.js";

export interface MempoolOptions {
  readonly maxTxs: number;
  readonly maxBytes: number;
  readonly maxPerSender: number;
}

export const defaultMempoolOptions: MempoolOptions = { maxTxs: 50_000, maxBytes: 64 * 1024 * 1024, maxPerSender: 1_000 };

const key = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");

/**
 * Pending transactions: per sender in nonce order, senders served in arrival order, within
 * caps on count and bytes. (Fee ordering, replacement and eviction come with the inspection stage.)
 */
export class Mempool {
  /** sender → nonce → tx; Map insertion order gives the senders' arrival order. */
  private readonly bySender = new Map<string, Map<number, SignedTransaction>>();
  private readonly byHash = new Map<string, SignedTransaction>();
  private totalBytes = 0;

  constructor(private readonly options: MempoolOptions = defaultMempoolOptions) {}

  get count(): number {
    return this.byHash.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  has(hash: Uint8Array): boolean {
    return this.byHash.has(key(hash));
  }

  /** Adds an admitted transaction; DUPLICATE if its hash or its sender's nonce is pending, MEMPOOL_FULL past a cap. */
  add(tx: SignedTransaction): void {
    if (this.byHash.has(key(tx.hash))) throw new AttestaError(TxErrorCode.DUPLICATE, "transaction already pending");
    const queue = this.bySender.get(key(tx.sender));
    if (queue?.has(tx.nonce)) throw new AttestaError(TxErrorCode.DUPLICATE, "a transaction with this nonce is pending", { nonce: tx.nonce });
    if (
      this.byHash.size >= this.options.maxTxs ||
      this.totalBytes + tx.bytes.length > this.options.maxBytes ||
      (queue?.size ?? 0) >= this.options.maxPerSender
    ) {
      throw new AttestaError(TxErrorCode.MEMPOOL_FULL, "mempool full");
    }
    if (queue === undefined) this.bySender.set(key(tx.sender), new Map([[tx.nonce, tx]]));
    else queue.set(tx.nonce, tx);
    this.byHash.set(key(tx.hash), tx);
    this.totalBytes += tx.bytes.length;
  }

  /** The next nonce of `sender` counting its pending transactions contiguous from `stateNonce`. */
  pendingNonce(sender: Uint8Array, stateNonce: number): number {
    const queue = this.bySender.get(key(sender));
    let nonce = stateNonce;
    while (queue?.has(nonce)) nonce++;
    return nonce;
  }

  /** Candidates for the next block: each sender's transactions in nonce order, within the caps. */
  candidates(maxTxs: number, maxBytes: number): SignedTransaction[] {
    const out: SignedTransaction[] = [];
    let bytes = 0;
    for (const queue of this.bySender.values()) {
      for (const nonce of [...queue.keys()].sort((a, b) => a - b)) {
        const tx = queue.get(nonce) as SignedTransaction;
        if (out.length >= maxTxs || bytes + tx.bytes.length > maxBytes) return out;
        out.push(tx);
        bytes += tx.bytes.length;
      }
    }
    return out;
  }

  remove(tx: SignedTransaction): void {
    const id = key(tx.hash);
    if (!this.byHash.delete(id)) return;
    this.totalBytes -= tx.bytes.length;
    const s = key(tx.sender);
    const queue = this.bySender.get(s);
    queue?.delete(tx.nonce);
    if (queue?.size === 0) this.bySender.delete(s);
  }

  /** Drops every pending transaction of `sender` with a nonce below `stateNonce` (used by a block). */
  pruneSender(sender: Uint8Array, stateNonce: number): void {
    const queue = this.bySender.get(key(sender));
    if (queue === undefined) return;
    for (const tx of [...queue.values()]) if (tx.nonce < stateNonce) this.remove(tx);
  }

  /** All pending transactions (for re-validation after a block). */
  all(): SignedTransaction[] {
    return [...this.byHash.values()];
  }
}
