import { BoundedCache } from "../boundedCache.js";
import { verifySignature } from "../crypto/verify.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import type { VerifyPool } from "./verifyPool.js";

/**
 * Hashes of transactions whose signatures were verified, bounded (oldest evicted), so a
 * transaction verified at admission is not verified again when its block is imported.
 */
export class VerifiedCache {
  private readonly hashes: BoundedCache<string, true>;

  // 100,000 hashes (about 10 MB): a transaction verified at admission is still known when its block comes.
  constructor(capacity = 100_000) {
    this.hashes = new BoundedCache(capacity);
  }

  has(tx: SignedTransaction): boolean {
    return this.hashes.has(tx.id);
  }

  add(tx: SignedTransaction): void {
    this.hashes.set(tx.id, true);
  }

  /**
   * Verifies, on `pool`, the signatures of the transactions not yet cached, and remembers the
   * valid ones: block import calls this first, so its per-transaction checks are cache hits
   * (an invalid signature stays uncached, and `verify` then refuses it).
   */
  async verifyAll(txs: readonly SignedTransaction[], pool: VerifyPool): Promise<void> {
    const missing = txs.filter((tx) => !this.has(tx));
    if (missing.length === 0) return;
    const valid = await pool.verify(missing.map((tx) => ({ keyType: tx.keyType, publicKey: tx.publicKey, signature: tx.signature, payload: tx.payload })));
    missing.forEach((tx, i) => {
      if (valid[i] === true) this.add(tx);
    });
  }

  /** Verifies unless cached; remembers a success. */
  verify(tx: SignedTransaction): boolean {
    if (this.has(tx)) return true;
    const ok = verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload);
    if (ok) this.add(tx);
    return ok;
  }
}
