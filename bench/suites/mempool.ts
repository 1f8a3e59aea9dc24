import { generateKeyPair } from "../../src/crypto/keys.js";
import { verifySignature } from "../../src/crypto/verify.js";
import { Mempool } from "../../src/inspect/mempool.js";
import { verifySignatures } from "../../src/inspect/pipeline.js";
import { VerifiedCache } from "../../src/inspect/verifiedCache.js";
import { VerifyPool } from "../../src/inspect/verifyPool.js";
import { decodeTransaction, type SignedTransaction } from "../../src/ledger/transaction.js";
import { makeTransfer } from "../../test/fixtures/builders.js";
import { formatTable, median, rate, type BenchRow } from "../lib.js";

// What admission costs besides verifying a signature, per transaction: the mempool's
// holds + add, the VerifiedCache's has + add, and the signature stage (verifySignatures on an
// unstarted pool of size 0, inline as on one core) less verifySignature itself over the same
// transactions. 4,000 secp256k1 transfers, 800 senders × 5 nonces arriving nonce by nonce,
// signed once before any timing.

const SENDERS = 800;
const PER_SENDER = 5;
const BATCH = 500;
const RUNS = 5;

function transactions(): SignedTransaction[] {
  const keys = Array.from({ length: SENDERS }, () => generateKeyPair());
  const txs: SignedTransaction[] = [];
  for (let nonce = 0; nonce < PER_SENDER; nonce++) {
    keys.forEach((key, i) => txs.push(makeTransfer({ key, nonce, fee: 10_000n + BigInt((i * 7 + nonce) % 97) })));
  }
  return txs;
}

const usPerTx = (opsPerSecond: number): number => 1e6 / opsPerSecond;

/**
 * The median µs per transaction of `task` over transactions decoded afresh before each call
 * (untimed): new objects and key strings whose hashes V8 has not computed yet, as at admission.
 */
async function perFreshTx(bytes: readonly Uint8Array[], task: (txs: readonly SignedTransaction[]) => void | Promise<void>, calls = 20): Promise<number> {
  for (let i = 0; i < 3; i++) await task(bytes.map((b) => decodeTransaction(b)));
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let ms = 0;
    for (let c = 0; c < calls; c++) {
      const fresh = bytes.map((b) => decodeTransaction(b));
      const start = performance.now();
      await task(fresh);
      ms += performance.now() - start;
    }
    runs.push((ms * 1000) / (calls * bytes.length));
  }
  return median(runs);
}

export async function run(): Promise<BenchRow[]> {
  const txs = transactions();
  const n = txs.length;
  const note = `${n} transfers, ${SENDERS} senders`;

  const bytes = txs.map((tx) => tx.bytes);
  const highS = bytes.map((b) => {
    const copy = new Uint8Array(b);
    copy[copy.length - 32] = 0xff; // the first byte of s
    return copy;
  });
  const mempool = await perFreshTx(bytes, (fresh) => {
    const m = new Mempool();
    for (const tx of fresh) if (!m.holds(tx)) m.add(tx);
  });
  const cache = await perFreshTx(bytes, (fresh) => {
    const c = new VerifiedCache();
    for (const tx of fresh) if (!c.has(tx)) c.add(tx);
  });
  const verified = new VerifiedCache();
  for (const tx of txs) verified.add(tx);
  const batches = Array.from({ length: Math.ceil(n / BATCH) }, (_, i) => txs.slice(i * BATCH, (i + 1) * BATCH));
  // Every signature cached: the stage returns before its first await, so this is all its work.
  const cachedStage = rate(
    () => {
      for (const batch of batches) void verifySignatures(batch, { verified });
    },
    { opsPerCall: n },
  );

  // The stage's own cost, precisely: signatures refused before any curve arithmetic (s above
  // n/2, so verifySignature costs a few comparisons), none of them cached.
  const refused = await perFreshTx(highS, async (fresh) => {
    const deps = { verified: new VerifiedCache(), pool: new VerifyPool({ size: 0, minParallelBatch: 16 }) };
    for (let i = 0; i < fresh.length; i += BATCH) await verifySignatures(fresh.slice(i, i + BATCH), deps);
  });
  const refusedRaw = await perFreshTx(highS, (fresh) => {
    for (const tx of fresh) verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload);
  });

  // With real verification, batch by batch alternately with verifySignature alone over the same
  // batch, the difference taken per pair: the machine's drift mostly cancels out (still noisy).
  const stage: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const deps = { verified: new VerifiedCache(), pool: new VerifyPool({ size: 0, minParallelBatch: 16 }) };
    let s = 0;
    let v = 0;
    for (let i = 0; i < n; i += BATCH) {
      const batch = txs.slice(i, i + BATCH);
      const t0 = performance.now();
      await verifySignatures(batch, deps);
      const t1 = performance.now();
      for (const tx of batch) verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload);
      const t2 = performance.now();
      s += t1 - t0;
      v += t2 - t1;
    }
    stage.push((s * 1000) / n);
    raw.push((v * 1000) / n);
  }
  const overhead = stage.map((s, r) => s - (raw[r] as number));

  return [
    { name: "mempool holds + add", value: mempool, unit: "µs/tx", note: `${note}, decoded afresh, a new pool each time` },
    { name: "VerifiedCache has + add (misses)", value: cache, unit: "µs/tx", note: `${note}, decoded afresh, a new cache each time` },
    { name: "verifySignatures, all cached", value: usPerTx(cachedStage), unit: "µs/tx", note: `batches of ${BATCH}` },
    { name: "verifySignatures, refused fast", value: refused, unit: "µs/tx", note: `size-0 pool, batches of ${BATCH}, high-S signatures, none cached` },
    { name: "verifySignature alone, refused fast", value: refusedRaw, unit: "µs/tx", note: "the same high-S transactions" },
    { name: "verifySignatures, size-0 pool", value: median(stage), unit: "µs/tx", note: `batches of ${BATCH}, a new cache each run` },
    { name: "verifySignature alone", value: median(raw), unit: "µs/tx", note: "the same transactions, batch by batch in turn" },
    { name: "signature stage overhead", value: median(overhead), unit: "µs/tx", note: `median of ${RUNS} runs' differences (noisy)` },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
