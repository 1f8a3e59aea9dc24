import { BoundedCache } from "../boundedCache.js";
import { verifySignature } from "../crypto/verify.js";
import type { SignedTransaction } from "../ledger/transaction.js";

/**
 * Hashes of transactions whose signatures were verified, bounded (oldest evicted), so a
 * transaction verified at admission is not verified again when its block is imported.
 */
export class VerifiedCache {
  private readonly hashes: BoundedCache<string, true>;

  constructor(capacity = 200_000) {
    this.hashes = new BoundedCache(capacity);
  }

  has(tx: SignedTransaction): boolean {
    return this.hashes.has(Buffer.from(tx.hash).toString("latin1"));
  }

  add(tx: SignedTransaction): void {
    this.hashes.set(Buffer.from(tx.hash).toString("latin1"), true);
  }

  /** Verifies unless cached; remembers a success. */
  verify(tx: SignedTransaction): boolean {
    if (this.has(tx)) return true;
    const ok = verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload);
    if (ok) this.add(tx);
    return ok;
  }
}
