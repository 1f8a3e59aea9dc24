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

  /**
   * Per transaction, whether its signature holds, verified on this thread unless cached; the
   * valid ones are remembered. The cache is read for all of them first, then the rest are
   * verified in order (a transaction twice in `txs` is verified twice, as on a pool).
   */
  verifyEach(txs: readonly SignedTransaction[]): boolean[] {
    const results: boolean[] = [];
    for (const tx of txs) results.push(this.hashes.has(tx.id));
    for (let i = 0; i < txs.length; i++) {
      if (results[i] === true) continue;
      const tx = txs[i] as SignedTransaction;
      if (!verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload)) continue;
      results[i] = true;
      this.hashes.set(tx.id, true);
    }
    return results;
  }

  /** Verifies unless cached; remembers a success. */
  verify(tx: SignedTransaction): boolean {
    if (this.has(tx)) return true;
    const ok = verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload);
    if (ok) this.add(tx);
    return ok;
  }
}
