// Consensus over the in-memory transport (issue 5): n validators in this one process, each a
// real level-backed chain with its own engine and sign-state file, 5 ms one-way link delay,
// empty blocks back to back (block period and heartbeat 1 ms). Per n: blocks finalized per
// second, finality latency, messages per block and rounds above 0. Then the cost of checking
// a commit certificate of a quorum of precommits, per n.
import "../../src/polyfill.js";
import { cpus } from "node:os";
import { randomBytes } from "node:crypto";
import { generateKeyPair, signPayload } from "../../src/crypto/keys.js";
import { activeSecp256k1Backend, verifySignature } from "../../src/crypto/verify.js";
import { validator } from "../../src/contracts/modules/validators.js";
import { verifyCommit } from "../../src/consensus/verifyCommit.js";
import { commitQuorum } from "../../src/ledger/commitCheck.js";
import { VoteType, votePayload, type Commit } from "../../src/ledger/commit.js";
import { formatTable, median, rate, type BenchRow } from "../lib.js";
import { FAST_TIMEOUTS, startConsensusNet, type ConsensusNet } from "../../test/fixtures/consensusNet.js";
import { percentile } from "../../test/fixtures/flood.js";

const DELAY_MS = 5;
/** Measured wall time per n, after the warm-up; BENCH_CONSENSUS_MS=2000 for a quick run. */
const WINDOW_MS = Number(process.env.BENCH_CONSENSUS_MS ?? 10_000);
const WARMUP_MS = Math.min(2_000, WINDOW_MS / 4);
/** Blocks per second are counted per slice of this length; the row is the median slice. */
const SLICE_MS = 1_000;
const SLICES = Math.max(1, Math.round(WINDOW_MS / SLICE_MS));
/** BENCH_CONSENSUS_SIZES=4,7 for fewer nets; empty for the certificate rows alone. */
const NET_SIZES = (process.env.BENCH_CONSENSUS_SIZES ?? "4,7,10,21").split(",").filter((s) => s.trim() !== "").map(Number);
const CERT_SIZES = [4, 7, 10, 21, 100];
const CERT_RUNS = 7;
const CHAIN_ID = "attesta-bench";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The height every validator has reached. */
function finalized(net: ConsensusNet): number {
  return Math.min(...net.nodes.map((v) => v.open.chain.head.header.height));
}

function engineTotals(net: ConsensusNet): { rounds: number; catchups: number; invalid: number; refused: number } {
  const stats = net.nodes.map((v) => v.engine.stats);
  const sum = (pick: (s: (typeof stats)[number]) => number): number => stats.reduce((a, s) => a + pick(s), 0);
  return { rounds: sum((s) => s.rounds), catchups: sum((s) => s.catchups), invalid: sum((s) => s.invalidMessages), refused: sum((s) => s.refusedSignatures) };
}

async function measureNet(n: number): Promise<BenchRow[]> {
  const net = await startConsensusNet(n, { delayMs: DELAY_MS, params: { blockPeriodMs: 1, heartbeatMs: 1 }, timeouts: FAST_TIMEOUTS });
  /** Finality latency samples by height: commit time at a validator − the header timestamp set by the proposer. */
  const latencies = new Map<number, number[]>();
  const unsubscribe = net.nodes.map((v) =>
    v.open.chain.onBlock(({ block }) => {
      const { height, timestamp } = block.header;
      const samples = latencies.get(height) ?? [];
      samples.push(Date.now() - timestamp);
      latencies.set(height, samples);
    }),
  );
  try {
    await sleep(WARMUP_MS);
    const h0 = finalized(net);
    const sent0 = net.network.sent;
    const before = engineTotals(net);
    const start = performance.now();
    /** Blocks per second of each slice, over its measured length. */
    const slices: number[] = [];
    let last = h0;
    let sliceStart = start;
    for (let i = 0; i < SLICES; i++) {
      await sleep(SLICE_MS);
      const h = finalized(net);
      const now = performance.now();
      slices.push(((h - last) * 1000) / (now - sliceStart));
      last = h;
      sliceStart = now;
    }
    const elapsed = performance.now() - start;
    const h1 = last;
    const blocks = h1 - h0;
    const sent = net.network.sent - sent0;
    const after = engineTotals(net);
    const samples: number[] = [];
    for (let h = h0 + 1; h <= h1; h++) samples.push(...(latencies.get(h) ?? []));
    const label = `consensus n=${n}`;
    const mean = (blocks * 1000) / elapsed;
    const trouble = `rounds>0 ${after.rounds - before.rounds}, catch-ups ${after.catchups - before.catchups}, invalid msgs ${after.invalid - before.invalid}, refused sigs ${after.refused - before.refused}`;
    return [
      { name: `${label}: blocks finalized`, value: median(slices), unit: "blocks/s", note: `median of ${slices.length} × 1 s slices; mean ${mean.toFixed(1)}; heights ${h0}→${h1} at every validator in ${(elapsed / 1000).toFixed(1)} s` },
      { name: `${label}: finality latency p50`, value: percentile(samples, 50), unit: "ms", note: `commit at each validator − header timestamp; ${samples.length} samples (${blocks} blocks × ${n})` },
      { name: `${label}: finality latency p95`, value: percentile(samples, 95), unit: "ms", note: `max ${samples.length > 0 ? Math.max(...samples) : NaN} ms` },
      { name: `${label}: messages sent per block`, value: blocks > 0 ? sent / blocks : NaN, unit: "msgs", note: `${sent} point-to-point deliveries in the window` },
      { name: `${label}: rounds > 0`, value: after.rounds - before.rounds, unit: "rounds", note: `summed over the ${n} engines; ${trouble}` },
    ];
  } finally {
    for (const off of unsubscribe) off();
    await net.close();
  }
}

/** A real certificate: a quorum of precommit signatures over the block, the first q validators of n. */
function certificate(n: number): { commit: Commit; set: ReturnType<typeof validator>[]; hash: Uint8Array } {
  const keys = Array.from({ length: n }, () => generateKeyPair("secp256k1"));
  const hash = new Uint8Array(randomBytes(32));
  const height = 42;
  const payload = votePayload(CHAIN_ID, VoteType.PRECOMMIT, height, 0, hash);
  const signatures = keys.slice(0, commitQuorum(n)).map((k, index) => ({ index, signature: signPayload("secp256k1", k.secretKey, payload) }));
  return { commit: { height, round: 0, blockHash: hash, signatures }, set: keys.map((k) => validator(k.publicKey)), hash };
}

/**
 * Runs of the sizes are interleaved (size after size, RUNS times), so a noisy neighbour slows
 * every row alike; a single signature check of the same run is the baseline.
 */
function measureCertificates(): BenchRow[] {
  const backend = activeSecp256k1Backend();
  const certs = CERT_SIZES.map((n) => ({ n, ...certificate(n) }));
  const single = certs[0] as (typeof certs)[number];
  const payload = votePayload(CHAIN_ID, VoteType.PRECOMMIT, single.commit.height, 0, single.hash);
  const first = single.commit.signatures[0] as Commit["signatures"][number];
  const tasks = [
    () => void verifySignature("secp256k1", single.set[0]!.publicKey, first.signature, payload),
    ...certs.map(({ commit, set, hash }) => () => verifyCommit(commit, set, CHAIN_ID, commit.height, hash)),
  ];
  const micros: number[][] = tasks.map(() => []);
  for (let r = 0; r < CERT_RUNS; r++) tasks.forEach((task, i) => micros[i]!.push(1e6 / rate(task, { runs: 1, ms: 300 })));
  const [baseline, ...perCert] = micros.map((m) => median(m));
  const rows: BenchRow[] = [{ name: `secp256k1 verifySignature (${backend}), baseline`, value: baseline!, unit: "µs/sig", note: `one precommit signature; median of ${CERT_RUNS} runs, interleaved with the rows below` }];
  certs.forEach(({ n, commit }, i) => {
    const q = commit.signatures.length;
    const us = perCert[i]!;
    rows.push({ name: `verifyCommit n=${n} (quorum ${q})`, value: us, unit: "µs/cert", note: `${(us / q).toFixed(1)} µs/signature; secp256k1 backend: ${backend}; median of ${CERT_RUNS} runs` });
  });
  return rows;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (NET_SIZES.length > 0) rows.push({
    name: "consensus nets: setting",
    value: DELAY_MS,
    unit: "ms delay",
    note: `all n validators share this machine's ${cpus().length} cores (one process, n level DBs); block period = heartbeat = 1 ms, empty blocks; timeouts propose ${FAST_TIMEOUTS.proposeMs} / prevote ${FAST_TIMEOUTS.prevoteMs} / precommit ${FAST_TIMEOUTS.precommitMs} ms; ${WARMUP_MS / 1000} s warm-up, ${WINDOW_MS / 1000} s measured per n`,
  });
  for (const n of NET_SIZES) rows.push(...(await measureNet(n)));
  rows.push(...measureCertificates());
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
