// The flood of test/slow/flood.test.ts as a benchmark: a dev node from the built CLI in its
// own process; a bridge sends honest readings in batches as fast as the node commits them (a
// window of batches in flight, each request carrying all the window allows), in phases alternating without and with a flood of invalid
// transactions at full speed from this process. Reports the honest readings committed per
// second in each, their ratio (goal >= 80%), the status latency during the flood and the
// node's peak RSS.
import "../../src/polyfill.js";
import type { SignedTransaction } from "../../src/ledger/transaction.js";
import { buildCli } from "../../test/fixtures/cli.js";
import { buildBadRequests, flood, HonestBridge, percentile, probeStatus, rssMb, sampleRss, setupStation, startFloodNode, type FloodNode } from "../../test/fixtures/flood.js";
import { waitFor } from "../../test/fixtures/node.js";
import { formatTable, median, type BenchRow } from "../lib.js";

const PHASE_MS = Number(process.env.BENCH_FLOOD_PHASE_MS ?? 10_000);
const ROUNDS = 3;
/** Honest batches in flight (submitted, not yet committed): within the node's nonce-ahead limit. */
const WINDOW = Number(process.env.BENCH_FLOOD_WINDOW ?? 64);
const SENSORS = 20;
const PER_SENSOR = Number(process.env.BENCH_FLOOD_PER_SENSOR ?? 10);
const FLOOD_CONCURRENCY = 8;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Phase {
  /** Honest readings committed per second during the phase. */
  readonly rate: number;
  readonly statusP95: number;
  readonly refusalsPerSecond?: number;
}

/**
 * One phase: the bridge keeps WINDOW batches in flight for PHASE_MS (with a flood alongside
 * when asked); the rate counts the batches committed within the phase (the bridge's device
 * nonce). Then waits for the rest to commit, uncounted.
 */
async function phase(node: FloodNode, bridge: HonestBridge, bridgeId: string, sent: SignedTransaction[], withFlood: ReturnType<typeof buildBadRequests> | undefined): Promise<Phase> {
  const committed = async (): Promise<number> => (await node.client.device(bridgeId)).nonce;
  const start = await committed();
  let done = start;
  let next = sent.length;
  const end = Date.now() + PHASE_MS;
  const stopProbe = new AbortController();
  const probe = probeStatus(node.url, stopProbe.signal, 100);
  const floodRun = withFlood !== undefined ? flood(node.url, withFlood, { concurrency: FLOOD_CONCURRENCY, durationMs: PHASE_MS }) : undefined;
  const began = performance.now();
  const poller = (async () => {
    while (Date.now() < end) {
      done = await committed();
      await sleep(50);
    }
  })();
  while (Date.now() < end) {
    // Whatever the window allows goes in one request, as a bridge sends all it has.
    const room = WINDOW - (next - done);
    if (room <= 0) {
      await sleep(10);
      continue;
    }
    const txs = Array.from({ length: room }, () => bridge.next());
    next += txs.length;
    const refused = (await node.client.submitBatch(txs)).filter((r) => !("hash" in r));
    if (refused.length > 0) throw new Error(`honest batches refused: ${JSON.stringify(refused)}`);
    sent.push(...txs);
  }
  await poller;
  const inPhase = (await committed()) - start;
  const ms = performance.now() - began;
  stopProbe.abort();
  const [latencies, result] = await Promise.all([probe, floodRun]);
  // Drain: the next phase starts with nothing in flight.
  await waitFor(async () => ((await committed()) >= sent.length ? true : undefined), 120_000, 50);
  const refusals = result === undefined ? 0 : Object.values(result.codes).reduce((a, b) => a + b, 0);
  return {
    rate: (inPhase * bridge.readingsPerBatch * 1000) / ms,
    statusP95: percentile(latencies, 95),
    ...(result !== undefined ? { refusalsPerSecond: (refusals * 1000) / result.ms } : {}),
  };
}

export async function run(): Promise<BenchRow[]> {
  await buildCli();
  const node = await startFloodNode();
  const stopRss = new AbortController();
  try {
    const rss = sampleRss(node.pid, stopRss.signal);
    const station = await setupStation(node, SENSORS, "bench");
    const bridge = new HonestBridge(node, station, PER_SENSOR);
    const sent: SignedTransaction[] = [];
    const bad = buildBadRequests(node, { replays: sent });
    await phase(node, bridge, station.bridge.id, sent, undefined); // warm-up
    const quiet: Phase[] = [];
    const flooded: Phase[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      quiet.push(await phase(node, bridge, station.bridge.id, sent, undefined));
      flooded.push(await phase(node, bridge, station.bridge.id, sent, bad));
    }
    stopRss.abort();
    const peak = Math.max(await rss, await rssMb(node.pid, "VmHWM"));
    const q = median(quiet.map((p) => p.rate));
    const f = median(flooded.map((p) => p.rate));
    const each = (ps: Phase[]): string => ps.map((p) => p.rate.toFixed(0)).join(", ");
    return [
      { name: "honest readings committed, no flood", value: q, unit: "readings/s", note: `${ROUNDS} phases of ${PHASE_MS / 1000} s (${each(quiet)}); 1 bridge, ${SENSORS} sensors, ${bridge.readingsPerBatch} readings per batch, ${WINDOW} batches in flight` },
      { name: "honest readings committed, during the flood", value: f, unit: "readings/s", note: `${each(flooded)}; = ${((f / q) * 100).toFixed(0)}% of the rate without it (goal >= 80%)` },
      { name: "invalid transactions refused during the flood", value: median(flooded.map((p) => p.refusalsPerSecond ?? 0)), unit: "tx/s", note: `${FLOOD_CONCURRENCY} loops at full speed: bad signatures, unknown devices, replays, garbage, oversized` },
      { name: "GET /v1/status p95, no flood", value: median(quiet.map((p) => p.statusP95)), unit: "ms", note: "probe every 100 ms; median of the phases' p95" },
      { name: "GET /v1/status p95, during the flood", value: median(flooded.map((p) => p.statusP95)), unit: "ms", note: "probe every 100 ms; median of the phases' p95" },
      { name: "node RSS, peak over the run", value: peak, unit: "MB", note: "max of VmRSS sampled every 100 ms and VmHWM" },
    ];
  } finally {
    stopRss.abort();
    await node.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
