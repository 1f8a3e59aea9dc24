// Admission per core through the whole pipeline (decoding, stateless rules, the signature,
// state, the mempool), per key type, beside the raw rate of verifySignature over the very
// same transactions in the same run: secp256k1 transfers, and readings.submit signed by P-256
// and Ed25519 devices. A real node (startNode) with verifyWorkers: 0, as a full node so no
// block production competes, fed pre-signed transactions by node.submitTxs in batches, each
// batch's raw verification timed just before its admission; each rate also per second of the
// process's CPU time, which another process on the core does not skew, and the main thread's
// GC pauses on each side. Then the verification pool on this machine: VerifyPool.verify (of the built code) on large
// batches with 1 and 2 workers against inline verification (size 0).
import "../../src/polyfill.js";
import { writeFile } from "node:fs/promises";
import { PerformanceObserver } from "node:perf_hooks";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeKeyFile } from "../../src/crypto/keyFile.js";
import { generateKeyPair, type KeyPair } from "../../src/crypto/keys.js";
import type { KeyType } from "../../src/crypto/keyTypes.js";
import { activeSecp256k1Backend, verifySignature } from "../../src/crypto/verify.js";
import { genesisToJson, type Genesis } from "../../src/contracts/genesis.js";
import { validator } from "../../src/contracts/modules/validators.js";
import { defaultChainParams } from "../../src/contracts/params.js";
import type { VerifyJob } from "../../src/inspect/verifyPool.js";
import { decodeTransaction, type SignedTransaction } from "../../src/ledger/transaction.js";
import { startNode, type AttestaNode } from "../../src/node/node.js";
import { defaultNodeOptions, type NodeOptions } from "../../src/node/options.js";
import { buildCli, ROOT } from "../../test/fixtures/cli.js";
import { makeGenesis, makeTransfer, makeTx } from "../../test/fixtures/chain.js";
import { AIR_QUALITY_PROFILE, publishArgs, registerArgs } from "../../test/fixtures/devices.js";
import { removeDir, silentLogger, tempDir, waitFor } from "../../test/fixtures/node.js";
import { readingTuple, SUBMIT_KIND, syntheticReading } from "../../test/fixtures/readings.js";
import { formatTable, median, type BenchRow } from "../lib.js";

const RUNS = 5;
/** Transactions admitted per run and key type. */
const PER_RUN = Number(process.env.BENCH_ADMISSION_TXS ?? 4_000);
/** Transfers per sender per run, readings per device per run ((RUNS + 1) × these stay within MAX_NONCE_AHEAD). */
const PER_SENDER = 5;
const PER_DEVICE = 10;
const SUBMIT_BATCH = 500;
/** Devices registered per operator account, in one block. */
const PER_OPERATOR = 50;
const FEE = 10_000n;
const POOL_BATCH = 8_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Fixture {
  readonly genesis: Genesis;
  readonly nodeKey: KeyPair;
  readonly admin: KeyPair;
  readonly operators: KeyPair[];
  readonly senders: KeyPair[];
  readonly devices: Record<"p256" | "ed25519", Array<{ id: string; key: KeyPair }>>;
}

function fixture(): Fixture {
  const nodeKey = generateKeyPair();
  const admin = generateKeyPair();
  const devicesPerType = PER_RUN / PER_DEVICE;
  const operators = Array.from({ length: Math.ceil((2 * devicesPerType) / PER_OPERATOR) }, () => generateKeyPair());
  const senders = Array.from({ length: PER_RUN / PER_SENDER }, () => generateKeyPair());
  const devices = {
    p256: Array.from({ length: devicesPerType }, (_, i) => ({ id: `p256-${i}`, key: generateKeyPair("p256") })),
    ed25519: Array.from({ length: devicesPerType }, (_, i) => ({ id: `ed25519-${i}`, key: generateKeyPair("ed25519") })),
  };
  const genesis: Genesis = {
    chainId: "attesta-bench",
    timestamp: Date.now(),
    validators: [validator(nodeKey.publicKey)],
    accounts: [
      { address: admin.address, balance: 10n ** 15n, roles: ["admin"] },
      ...operators.map((k) => ({ address: k.address, balance: 10n ** 15n, roles: ["operator" as const] })),
      ...senders.map((k) => ({ address: k.address, balance: 10n ** 12n, roles: [] })),
    ],
    params: defaultChainParams,
  };
  return { genesis, nodeKey, admin, operators, senders, devices };
}

function open(dataDir: string, o: Partial<NodeOptions>): Promise<AttestaNode> {
  return startNode({ ...defaultNodeOptions, dataDir, dev: false, logLevel: "silent", verifyWorkers: 0, p2p: { ...defaultNodeOptions.p2p, enabled: false }, ...o }, { logger: silentLogger });
}

/** Submits `txs` and waits until the last one is final; throws if one is refused. */
async function commit(node: AttestaNode, txs: readonly SignedTransaction[]): Promise<void> {
  const results = await node.submitTxs(txs.map((t) => t.bytes));
  const refused = results.filter((r) => "error" in r);
  if (refused.length > 0) throw new Error(`setup refused: ${refused.map((r) => ("error" in r ? r.error.code : "")).join(", ")}`);
  await waitFor(async () => ((await node.txStatus(txs[txs.length - 1]!.hash))?.status === "final" && node.status().mempool.count === 0 ? true : undefined), 60_000, 50);
}

/** The data directory with the profile published and every device registered, by a validator node stopped afterwards. */
async function setup(f: Fixture, dataDir: string): Promise<void> {
  await writeFile(join(dataDir, "genesis.json"), JSON.stringify(genesisToJson(f.genesis)));
  await writeKeyFile(join(dataDir, "node.key"), f.nodeKey);
  const node = await open(dataDir, { validator: true });
  try {
    await commit(node, [makeTx(f.genesis, f.admin, "profiles.publish", publishArgs(), { nonce: 0, fee: 10n ** 6n })]);
    const all = [...f.devices.p256, ...f.devices.ed25519];
    const registrations = all.map((d, i) =>
      makeTx(f.genesis, f.operators[Math.floor(i / PER_OPERATOR)]!, "devices.register", registerArgs({ id: d.id, key: d.key, profileId: AIR_QUALITY_PROFILE }), { nonce: i % PER_OPERATOR, fee: FEE }),
    );
    await commit(node, registrations);
    for (const d of [all[0]!, all[all.length - 1]!]) if ((await node.device(d.id)) === undefined) throw new Error(`device ${d.id} not registered`);
  } finally {
    await node.stop();
  }
}

/** Each run's transactions of one key type (and one more for the timed run last), nonce-major so every signer's nonces arrive in order. */
function presign(f: Fixture, type: KeyType): SignedTransaction[][] {
  const recipient = generateKeyPair().address;
  return Array.from({ length: RUNS + 1 }, (_, run) => {
    const txs: SignedTransaction[] = [];
    if (type === "secp256k1") {
      for (let k = 0; k < PER_SENDER; k++) for (const s of f.senders) txs.push(makeTransfer(f.genesis, s, recipient, 1n, { nonce: run * PER_SENDER + k, fee: FEE }));
    } else {
      for (let k = 0; k < PER_DEVICE; k++) {
        const seq = run * PER_DEVICE + k + 1;
        f.devices[type].forEach((d, i) => txs.push(makeTx(f.genesis, d.key, SUBMIT_KIND, readingTuple(syntheticReading(d.id, i, seq)), { nonce: seq - 1, fee: FEE })));
      }
    }
    return txs;
  });
}

/** A rate both ways: per second of wall time, and per second of the process's CPU time (all threads). */
interface Rates {
  readonly rate: number;
  /** Per CPU second: steadier than wall time when another process shares the core. */
  readonly perCpu: number;
  /** CPU time over wall time. */
  readonly cpuShare: number;
  /** Garbage-collection pauses on the main thread, ms per 1,000 operations (µs per operation). */
  readonly gcUs: number;
}

/** Every GC pause of this process (perf_hooks 'gc' entries), as it is reported. */
const gcPauses: Array<{ readonly start: number; readonly ms: number }> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, ms: e.duration });
}).observe({ entryTypes: ["gc"] });

/** Wall and CPU time (all threads) spent on one side of a run, added up piece by piece, and the GC pauses that began in it. */
class Spent {
  private ms = 0;
  private cpuMs = 0;
  private readonly spans: Array<readonly [number, number]> = [];

  async add(task: () => Promise<void> | void): Promise<void> {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await task();
    const end = performance.now();
    this.ms += end - start;
    this.spans.push([start, end]);
    const used = process.cpuUsage(cpu);
    this.cpuMs += (used.user + used.system) / 1000;
  }

  /** Call once the run is over and the event loop has turned (GC entries arrive asynchronously). */
  rates(ops: number): Rates {
    let gcMs = 0;
    for (const p of gcPauses) if (this.spans.some(([from, to]) => p.start >= from && p.start < to)) gcMs += p.ms;
    return { rate: (ops * 1000) / this.ms, perCpu: (ops * 1000) / this.cpuMs, cpuShare: this.cpuMs / this.ms, gcUs: (gcMs * 1000) / ops };
  }
}

const verifyAll = (txs: readonly SignedTransaction[]): void => {
  for (const tx of txs) if (!verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload)) throw new Error("signature did not verify");
};

/**
 * One run: batch by batch, verifySignature over the batch's transactions on this thread, then
 * their admission through node.submitTxs (the verification cache does not hold them yet), so
 * both sides meet the machine in the same state: its speed drifts by tens of percent within
 * seconds here. Throws if one is refused.
 */
async function pairedRun(node: AttestaNode, txs: readonly SignedTransaction[]): Promise<{ raw: Rates; admitted: Rates }> {
  const raw = new Spent();
  const admitted = new Spent();
  let refused = 0;
  const codes = new Set<string>();
  for (let i = 0; i < txs.length; i += SUBMIT_BATCH) {
    const batch = txs.slice(i, i + SUBMIT_BATCH);
    const list = batch.map((t) => t.bytes);
    await raw.add(() => verifyAll(batch));
    await admitted.add(async () => {
      for (const r of await node.submitTxs(list)) {
        if ("error" in r) {
          refused++;
          codes.add(r.error.code);
        }
      }
    });
  }
  if (refused > 0) throw new Error(`${refused} of ${txs.length} refused: ${[...codes].join(", ")}`);
  await sleep(20); // the GC entries of the last batch
  return { raw: raw.rates(txs.length), admitted: admitted.rates(txs.length) };
}

function backendOf(type: KeyType): string {
  return type === "secp256k1" ? activeSecp256k1Backend() : "node";
}

async function admission(): Promise<BenchRow[]> {
  const f = fixture();
  const dataDir = await tempDir("attesta-bench-admission-");
  const signed = { secp256k1: presign(f, "secp256k1"), p256: presign(f, "p256"), ed25519: presign(f, "ed25519") };
  const rows: BenchRow[] = [];
  try {
    await setup(f, dataDir);
    // A full node (no block production): the mempool only grows, so it gets room for every run.
    const node = await open(dataDir, { validator: false, mempoolMaxTxs: 1_000_000, mempoolMaxBytes: 2 ** 30 });
    try {
      for (const type of ["secp256k1", "p256", "ed25519"] as const) {
        const label = type === "secp256k1" ? "secp256k1 transfers" : `readings.submit by ${type} devices`;
        verifyAll(signed[type][0]!.slice(0, 200)); // warm-up (key objects, JIT)
        const admitted: Rates[] = [];
        const raw: Rates[] = [];
        for (const txs of signed[type].slice(0, RUNS)) {
          const run = await pairedRun(node, txs);
          raw.push(run.raw);
          admitted.push(run.admitted);
          await sleep(50);
        }
        // One more run, with the pipeline's own stage timers on (as /metrics has them), apart from the rates above.
        const timed = signed[type][RUNS] as SignedTransaction[];
        const stages = new Map<string, number>();
        if (node.observeInspection === undefined) throw new Error("this node reports no stage timings");
        const stop = node.observeInspection({ stage: (stage, seconds) => stages.set(stage, (stages.get(stage) ?? 0) + seconds), verdict: () => undefined });
        const timedRate = (await pairedRun(node, timed)).admitted;
        stop();
        const split = [...stages].map(([stage, seconds]) => `${stage} ${((seconds * 1e6) / timed.length).toFixed(1)}`).join(", ");
        const [a, v] = [median(admitted.map((r) => r.rate)), median(raw.map((r) => r.rate))];
        const [aCpu, vCpu] = [median(admitted.map((r) => r.perCpu)), median(raw.map((r) => r.perCpu))];
        // The share of raw verify each run reached, its two sides measured batch by batch in turn.
        const pct = (key: "rate" | "perCpu"): string => `${(median(admitted.map((r, i) => r[key] / (raw[i] as Rates)[key])) * 100).toFixed(0)}%`;
        const spread = (key: "rate" | "perCpu"): string => admitted.map((r, i) => ((r[key] / (raw[i] as Rates)[key]) * 100).toFixed(0)).join(", ");
        const share = (rates: Rates[]): string => `process CPU ${(median(rates.map((r) => r.cpuShare)) * 100).toFixed(0)}% of wall`;
        rows.push({ name: `admission per core, ${label}`, value: a, unit: "tx/s", note: `${RUNS} runs × ${PER_RUN} pre-signed, node.submitTxs in batches of ${SUBMIT_BATCH}, verifyWorkers 0; = ${pct("rate")} of raw verify (median of the runs: ${spread("rate")}; goal >= 90%); ${share(admitted)}` });
        rows.push({ name: `${type} verifySignature (${backendOf(type)}), same txs, same run`, value: v, unit: "ops/s", note: `batch by batch in turn with admission; min ${Math.min(...raw.map((r) => r.rate)).toFixed(0)}, max ${Math.max(...raw.map((r) => r.rate)).toFixed(0)}; ${share(raw)}` });
        rows.push({ name: `admission per CPU second, ${label}`, value: aCpu, unit: "tx/s", note: `= ${pct("perCpu")} of raw verify per CPU second (runs: ${spread("perCpu")}; raw ${vCpu.toFixed(0)}/s): steadier than wall time on a shared machine` });
        // What the pipeline costs besides the signature, per CPU second, against what 90% allows.
        const spent = 1e6 / aCpu - 1e6 / vCpu;
        rows.push({ name: `admission besides the signature, ${label}`, value: spent, unit: "µs/tx", note: `1/admission - 1/verify, per CPU second; 90% of raw verify allows ${(1e6 / vCpu / 9).toFixed(1)} µs/tx` });
        rows.push({ name: `admission GC pauses, ${label}`, value: median(admitted.map((r) => r.gcUs)), unit: "µs/tx", note: `main-thread pauses (perf_hooks 'gc') during admission, median of the runs; ${median(raw.map((r) => r.gcUs)).toFixed(1)} µs/tx during raw verify` });
        rows.push({ name: `admission by stage, ${label}`, value: 1e6 / timedRate.rate, unit: "µs/tx", note: `one more run with the stage timers on: ${split} µs/tx (wall time, GC pauses where they fall)` });
      }
    } finally {
      await node.stop();
    }
  } finally {
    await removeDir(dataDir);
  }
  return rows;
}

type VerifyPoolModule = typeof import("../../src/inspect/verifyPool.js");

/** The pool of the built code (dist/), exactly as the node runs it. */
async function builtVerifyPool(): Promise<VerifyPoolModule> {
  await buildCli();
  return (await import(pathToFileURL(join(ROOT, "dist/src/inspect/verifyPool.js")).href)) as VerifyPoolModule;
}

/** VerifyPool.verify on batches of POOL_BATCH jobs of one key type: jobs/s with `size` workers (0 = inline). */
async function poolRates({ VerifyPool }: VerifyPoolModule, jobs: readonly VerifyJob[], sizes: readonly number[]): Promise<Map<number, { rate: number; cpuShare: number }>> {
  const pools = new Map(sizes.map((size) => [size, new VerifyPool({ size, minParallelBatch: 16 })]));
  for (const pool of pools.values()) pool.start();
  try {
    // Jobs go only to workers that have loaded: wait for them, then warm them up.
    for (const pool of pools.values()) await pool.waitReady();
    for (const pool of pools.values()) await pool.verify(jobs.slice(0, 500));
    const samples = new Map<number, Array<{ rate: number; cpuShare: number }>>(sizes.map((s) => [s, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const [size, pool] of pools) {
        const cpu = process.cpuUsage();
        const start = performance.now();
        const results = await pool.verify(jobs);
        const ms = performance.now() - start;
        const used = process.cpuUsage(cpu);
        if (results.some((ok) => !ok)) throw new Error("a signature did not verify in the pool");
        samples.get(size)!.push({ rate: (jobs.length * 1000) / ms, cpuShare: (used.user + used.system) / 1000 / ms });
      }
    }
    return new Map([...samples].map(([size, runs]) => [size, { rate: median(runs.map((x) => x.rate)), cpuShare: median(runs.map((x) => x.cpuShare)) }]));
  } finally {
    for (const pool of pools.values()) await pool.stop();
  }
}

async function pool(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const built = await builtVerifyPool();
  const recipient = generateKeyPair().address;
  const { genesis } = makeGenesis({ accounts: 0 });
  for (const type of ["secp256k1", "p256", "ed25519"] as const) {
    const keys = Array.from({ length: 64 }, () => generateKeyPair(type));
    const jobs: VerifyJob[] = Array.from({ length: POOL_BATCH }, (_, i) => {
      // Decoded from its own bytes, as admission sees it (a built transaction's fields are views of the encoder's 8 KB buffer, which a postMessage would copy whole).
      const tx = decodeTransaction(makeTransfer(genesis, keys[i % keys.length]!, recipient, BigInt(i + 1), { nonce: i, fee: FEE }).bytes.slice());
      return { keyType: tx.keyType, publicKey: tx.publicKey, signature: tx.signature, payload: tx.payload };
    });
    const rates = await poolRates(built, jobs, [0, 1, 2]);
    // The process's CPU time over wall time says whether the workers found a free core: on a shared machine they may not.
    const cpu = (size: number): string => `process CPU ${(rates.get(size)!.cpuShare * 100).toFixed(0)}% of wall`;
    const inline = rates.get(0)!.rate;
    rows.push({ name: `verify pool, ${type}, inline (size 0)`, value: inline, unit: "sig/s", note: `${RUNS} runs of one batch of ${POOL_BATCH}, ${keys.length} keys; the built pool (dist/); ${cpu(0)}` });
    for (const size of [1, 2]) {
      const r = rates.get(size)!.rate;
      rows.push({ name: `verify pool, ${type}, ${size} worker${size > 1 ? "s" : ""}`, value: r, unit: "sig/s", note: `${(r / inline).toFixed(2)}× inline${size === 2 ? " (goal >= 1.7×)" : ""}; ${cpu(size)}` });
    }
  }
  return rows;
}

export async function run(): Promise<BenchRow[]> {
  return [...(await admission()), ...(await pool())];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
