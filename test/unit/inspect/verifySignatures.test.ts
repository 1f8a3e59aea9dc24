import { afterEach, describe, expect, it } from "vitest";
import { verifySignatures } from "../../../src/inspect/pipeline.js";
import { VerifiedCache } from "../../../src/inspect/verifiedCache.js";
import { VerifyPool } from "../../../src/inspect/verifyPool.js";
import { decodeTransaction, type SignedTransaction } from "../../../src/ledger/transaction.js";
import { makeKey, makeTransfer } from "../../fixtures/builders.js";

/** Eight transfers, the third and sixth with a signature that does not verify. */
function batch(): SignedTransaction[] {
  const key = makeKey("secp256k1", "verifySignatures");
  return Array.from({ length: 8 }, (_, nonce) => {
    const tx = makeTransfer({ key, nonce });
    if (nonce % 3 !== 2) return tx;
    const bytes = new Uint8Array(tx.bytes);
    bytes[bytes.length - 40]! ^= 1;
    return decodeTransaction(bytes);
  });
}

describe("verifySignatures", () => {
  let pool: VerifyPool | undefined;
  afterEach(async () => pool?.stop());

  const expected = [true, true, false, true, true, false, true, true];

  it("verifies on the calling thread without workers, caching only the good signatures, and trusts the cache", async () => {
    const txs = batch();
    const verified = new VerifiedCache(100);
    verified.add(txs[5]!); // cached: not checked again
    expect(await verifySignatures(txs, { verified })).toEqual(expected.map((ok, i) => ok || i === 5));
    expect(txs.map((tx) => verified.has(tx))).toEqual(expected.map((ok, i) => ok || i === 5));
    expect(await verifySignatures(txs, { verified, pool: new VerifyPool({ size: 0, minParallelBatch: 1 }) })).toEqual(expected.map((ok, i) => ok || i === 5));
  });

  it("answers for a transaction as often as it is in the batch", async () => {
    const [good, , bad] = batch() as [SignedTransaction, SignedTransaction, SignedTransaction];
    const verified = new VerifiedCache(100);
    expect(await verifySignatures([good, bad, good, bad], { verified })).toEqual([true, false, true, false]);
    expect(verified.has(good)).toBe(true);
    expect(verified.has(bad)).toBe(false);
  });

  it("gives the same verdicts and cache on a pool of workers", async () => {
    pool = new VerifyPool({ size: 1, minParallelBatch: 1 });
    pool.start();
    expect(await pool.waitReady()).toBe(1);
    expect(pool.parallel).toBe(true);
    const txs = batch();
    const verified = new VerifiedCache(100);
    verified.add(txs[5]!);
    const answer = verifySignatures(txs, { verified, pool });
    expect(pool.inFlight).toBe(7); // the cached one is not posted
    expect(await answer).toEqual(expected.map((ok, i) => ok || i === 5));
    expect(txs.map((tx) => verified.has(tx))).toEqual(expected.map((ok, i) => ok || i === 5));
  });
});
