import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { generateKeyPair } from "../../src/crypto/keys.js";
import { verifySignature } from "../../src/crypto/verify.js";
import { Mempool } from "../../src/inspect/mempool.js";
import { verifySignatures } from "../../src/inspect/pipeline.js";
import { VerifiedCache } from "../../src/inspect/verifiedCache.js";
import { VerifyPool } from "../../src/inspect/verifyPool.js";
import { decodeTransaction, type SignedTransaction } from "../../src/ledger/transaction.js";
import { makeTransfer } from "../../test/fixtures/builders.js";
import { makeGenesis } from "../../test/fixtures/chain.js";
import { makeSubmit, syntheticReading } from "../../test/fixtures/readings.js";
import { formatTable, median, rate, type BenchRow } from "../lib.js";

// What admission costs besides verifying a signature, per transaction, in µs of CPU (medians):
// the mempool's holds + add, the VerifiedCache's has + add, and the signature stage
// (verifySignatures on an unstarted pool of size 0, inline as on one core) less
// verifySignature itself over the same transactions. 4,000 secp256k1 transfers, 800 senders ×
// 5 nonces arriving nonce by nonce, signed once before any timing and decoded afresh for each call.
// Then the heap a pending transaction holds: 20,000 transfers, then 20,000 P-256 readings,
// decoded from bytes of their own (as the API hands them over) into a mempool, the heap measured
// after full collections before and after; under the deployed 144 MB old space, this is what
// bounds the mempool's count cap.

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

type Task = (txs: readonly SignedTransaction[]) => void | Promise<void>;

/** CPU milliseconds of this process (another process on the core does not count). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** µs of CPU per transaction of one call of `task` over transactions decoded afresh (untimed). */
async function timeFresh(bytes: readonly Uint8Array[], task: Task): Promise<number> {
  const fresh = bytes.map((b) => decodeTransaction(b));
  const start = cpuMs();
  await task(fresh);
  return ((cpuMs() - start) * 1000) / bytes.length;
}

/**
 * Medians of `calls` calls of `task`, and of `base` called in turn with it, each over
 * transactions decoded afresh (new objects and key strings whose hashes V8 has not computed
 * yet, as at admission), with the median of their differences: the machine's drift cancels
 * out of the pairs.
 */
async function paired(bytes: readonly Uint8Array[], task: Task, base?: Task, calls = 10 * RUNS): Promise<{ task: number; base: number; diff: number }> {
  const t: number[] = [];
  const b: number[] = [];
  for (let i = -3; i < calls; i++) {
    const x = await timeFresh(bytes, task);
    const y = base === undefined ? 0 : await timeFresh(bytes, base);
    if (i < 0) continue;
    t.push(x);
    b.push(y);
  }
  return { task: median(t), base: median(b), diff: median(t.map((x, i) => x - (b[i] as number))) };
}

/** A full collection, from a bench run without --expose-gc. */
function collect(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

const HELD = 20_000;

/** Heap bytes per transaction held in a mempool, with the bytes it was decoded from (each its own copy). */
function heldPerPending(bytes: readonly Uint8Array[]): number {
  const copies = bytes.map((b) => b.slice());
  collect();
  const before = process.memoryUsage();
  const pool = new Mempool({ maxTxs: 10 * copies.length, maxBytes: 2 ** 30 });
  for (const b of copies) pool.add(decodeTransaction(b));
  collect();
  const after = process.memoryUsage();
  if (pool.count !== copies.length) throw new Error("a transaction was not held");
  const held = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  const input = copies.reduce((sum, b) => sum + b.length, 0);
  return (held + input) / copies.length;
}

function heldRows(): BenchRow[] {
  const senders = Array.from({ length: HELD / 50 }, () => generateKeyPair());
  const transfers = Array.from({ length: HELD }, (_, i) => makeTransfer({ key: senders[i % senders.length]!, nonce: Math.floor(i / senders.length) }).bytes);
  const { genesis } = makeGenesis({ accounts: 0 });
  const devices = Array.from({ length: HELD / 50 }, () => generateKeyPair("p256"));
  const readings = Array.from({ length: HELD }, (_, i) => {
    const nonce = Math.floor(i / devices.length);
    return makeSubmit(genesis, devices[i % devices.length]!, syntheticReading(`d-${i % devices.length}`, i, nonce + 1), nonce).bytes;
  });
  const size = (list: readonly Uint8Array[]): string => (list.reduce((sum, b) => sum + b.length, 0) / list.length).toFixed(0);
  return [
    { name: "heap held per pending transfer", value: heldPerPending(transfers), unit: "B/tx", note: `${HELD} secp256k1 transfers of ${size(transfers)} B in a mempool, with their bytes` },
    { name: "heap held per pending reading", value: heldPerPending(readings), unit: "B/tx", note: `${HELD} P-256 readings.submit of ${size(readings)} B in a mempool, with their bytes` },
  ];
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
  const { task: mempool } = await paired(bytes, (fresh) => {
    const m = new Mempool();
    for (const tx of fresh) if (!m.holds(tx)) m.add(tx);
  });
  const { task: cache } = await paired(bytes, (fresh) => {
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

  const stage: Task = async (fresh) => {
    const deps = { verified: new VerifiedCache(), pool: new VerifyPool({ size: 0, minParallelBatch: 16 }) };
    for (let i = 0; i < fresh.length; i += BATCH) await verifySignatures(fresh.slice(i, i + BATCH), deps);
  };
  const alone: Task = (fresh) => {
    for (const tx of fresh) verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload);
  };
  // The stage's own cost, precisely: signatures refused before any curve arithmetic (s above
  // n/2, so verifySignature costs a few comparisons), none of them cached.
  const refused = await paired(highS, stage, alone);
  // With real verification: the difference is a few µs in 60, so still noisy.
  const real = await paired(bytes, stage, alone, RUNS);

  return [
    { name: "mempool holds + add", value: mempool, unit: "µs/tx", note: `${note}, a new pool each call` },
    { name: "VerifiedCache has + add (misses)", value: cache, unit: "µs/tx", note: `${note}, a new cache each call` },
    { name: "verifySignatures, all cached", value: usPerTx(cachedStage), unit: "µs/tx", note: `batches of ${BATCH}` },
    { name: "verifySignatures, refused fast", value: refused.task, unit: "µs/tx", note: `size-0 pool, batches of ${BATCH}, high-S signatures, a new cache each call` },
    { name: "verifySignature alone, refused fast", value: refused.base, unit: "µs/tx", note: "the same high-S transactions, in turn" },
    { name: "signature stage overhead, refused fast", value: refused.diff, unit: "µs/tx", note: `median of ${10 * RUNS} paired differences` },
    { name: "verifySignatures, size-0 pool", value: real.task, unit: "µs/tx", note: `batches of ${BATCH}, a new cache each call` },
    { name: "verifySignature alone", value: real.base, unit: "µs/tx", note: "the same transactions, in turn" },
    { name: "signature stage overhead", value: real.diff, unit: "µs/tx", note: `median of ${RUNS} paired differences (noisy)` },
    ...heldRows(),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
