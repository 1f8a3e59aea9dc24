import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readingOutcomes, type SignedTransaction } from "../../src/client/index.js";
import { buildCli } from "../fixtures/cli.js";
import { buildBadRequests, flood, HonestBridge, percentile, probeStatus, rssMb, sampleRss, setupStation, startFloodNode, type FloodNode } from "../fixtures/flood.js";

// A flood of invalid transactions at full speed through the API of a dev node in its own
// process (bad signatures, unknown devices, replays, garbage bytes, oversized bodies), while a
// bridge sends honest readings in batches: the node keeps answering GET /v1/status quickly,
// its RSS stays bounded, every honest reading is admitted and ends final, and every invalid
// request got its code. SHORT=1 (CI) floods for 10 s; the full suite for 60 s.

const FLOOD_MS = process.env.SHORT === "1" ? 10_000 : 60_000;
const MAX_REQUESTS = process.env.SHORT === "1" ? 50_000 : 300_000;
const STATUS_P95_MS = 500;
/** The node runs with the deployed heap limits (144 MB old space, 16 MB semi-spaces): it peaks at about 250 MB under the flood bench. */
const RSS_LIMIT_MB = 320;

let node: FloodNode | undefined;

beforeAll(async () => {
  await buildCli();
  node = await startFloodNode();
}, 200_000);

afterAll(async () => {
  await node?.stop();
});

describe("flood of invalid transactions", () => {
  it("keeps status fast, memory bounded, and commits every honest reading; every invalid request gets its code", async () => {
    const n = node!;
    const station = await setupStation(n, 4);
    const bridge = new HonestBridge(n, station, 2);
    const honest: SignedTransaction[] = [];
    const refusedHonest: string[] = [];
    const requests = buildBadRequests(n, { replays: honest });

    const done = new AbortController();
    const probe = probeStatus(n.url, done.signal);
    const rss = sampleRss(n.pid, done.signal);
    const honestLoop = (async () => {
      while (!done.signal.aborted) {
        const tx = bridge.next();
        const [result] = await n.client.submitBatch([tx]);
        if (result !== undefined && "hash" in result) honest.push(tx);
        else refusedHonest.push(JSON.stringify(result));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const result = await flood(n.url, requests, { concurrency: 8, durationMs: FLOOD_MS, maxRequests: MAX_REQUESTS });
    done.abort();
    const [latencies, peakRss] = await Promise.all([probe, rss, honestLoop]);
    const hwm = await rssMb(n.pid, "VmHWM");

    const p95 = percentile(latencies, 95);
    console.log(
      JSON.stringify({ requests: result.requests, ms: Math.round(result.ms), codes: result.codes, statusProbes: latencies.length, statusP50: percentile(latencies, 50), statusP95: p95, peakRssMb: peakRss, vmHwmMb: hwm, honestBatches: honest.length }),
    );
    expect(refusedHonest).toEqual([]);
    expect(result.admitted).toBe(0);
    expect(p95).toBeLessThan(STATUS_P95_MS);
    expect(peakRss).toBeLessThan(RSS_LIMIT_MB);
    expect(hwm).toBeLessThan(RSS_LIMIT_MB);
    for (const code of ["BAD_SIGNATURE", "DEVICE_UNKNOWN", "MALFORMED", "TOO_LARGE", "BAD_REQUEST", "PAYLOAD_TOO_LARGE"]) expect(result.codes[code] ?? 0, code).toBeGreaterThan(0);
    expect((result.codes.DUPLICATE ?? 0) + (result.codes.NONCE_TOO_LOW ?? 0)).toBeGreaterThan(0);
    expect(result.codes.INTERNAL ?? 0).toBe(0);

    // Every honest reading sent during the flood is final and accepted.
    expect(honest.length).toBeGreaterThan(FLOOD_MS / 1_000);
    for (const tx of honest) {
      const status = await n.client.waitForTx(tx.hash, { until: "final", timeoutMs: 30_000, pollMs: 100 });
      expect(status.receipt?.status).toBe("ok");
      expect(readingOutcomes(status.receipt!).map((o) => o.code)).toEqual(Array(bridge.readingsPerBatch).fill(""));
    }
    expect((await n.client.status()).mempool.count).toBe(0);
  }, 600_000);
});
