// A station of the UCI air-quality data set (../shared/data/air-quality-uci.csv) replayed
// hour by hour through its bridge, in daily batches, on a real chain: the data set's own
// `-200` failures are rejected as hard violations, and injected faults (a spike, a stuck
// sensor, a drift) are flagged, until the suspension policy halts the station.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { DeviceErrorCode } from "../../../src/contracts/modules/devices/index.js";
import { ReadingFinding } from "../../../src/contracts/modules/readings/findings.js";
import type { ReadingArgs } from "../../../src/contracts/modules/readings/methods.js";
import { AIR_QUALITY_SPEC, DeviceChain, registerArgs } from "../../fixtures/devices.js";
import { airQualityAvailable, BATCH_KIND, loadAirQuality, reading, readingEvents, readingTuple, setupStation, type AirQualityRow, type Station } from "../../fixtures/readings.js";
import { generateKeyPair } from "../../../src/crypto/keys.js";

const METRICS = Object.keys(AIR_QUALITY_SPEC.metrics).sort();
const HOURS_PER_BATCH = 24;
const MISSING = -200;

/** Rows `from` .. `from + length - 1` all hold a value for every metric. */
const clean = (rows: readonly AirQualityRow[], from: number, length: number): boolean =>
  rows.slice(from, from + length).every((r) => METRICS.every((m) => r.values[m] !== MISSING));

function firstCleanRun(rows: readonly AirQualityRow[], from: number, length: number): number {
  for (let i = from; i + length <= rows.length; i++) if (clean(rows, i, length)) return i;
  throw new Error(`no clean run of ${length} rows after ${from}`);
}

interface Outcome {
  readonly seq: number;
  readonly code: string;
  readonly findings: ReadonlyArray<readonly [string, string, number, number]>;
}

describe.skipIf(!airQualityAvailable)("air-quality station replayed through a bridge (UCI data set; skipped when ../shared/data/air-quality-uci.csv is absent)", () => {
  let chain: DeviceChain;
  let station: Station;
  let rows: AirQualityRow[];
  const outcomes = new Map<number, Outcome>();
  /** Where faults were injected (row indexes). */
  let spikeAt = 0;
  let stuckFrom = 0;
  let driftFrom = 0;
  const STUCK_RUN = 9;
  const DRIFT_RUN = 24;

  /** The row as a reading of the station's sensor, seq = row index + 1. */
  function readingOf(i: number, values: Readonly<Record<string, number>>): ReadingArgs {
    const picked: Record<string, number> = {};
    for (const m of METRICS) picked[m] = values[m] as number;
    return reading(station.sensors[0]!.id, i + 1, rows[i]!.ts, picked);
  }

  /** Replays rows [from, to) with the injected faults, in daily batches, one block each. */
  async function replay(from: number, to: number, inject: (i: number, values: Record<string, number>) => void): Promise<void> {
    for (let start = from; start < to; start += HOURS_PER_BATCH) {
      const readings: ReadingArgs[] = [];
      for (let i = start; i < Math.min(to, start + HOURS_PER_BATCH); i++) {
        const values = { ...rows[i]!.values };
        inject(i, values);
        readings.push(readingOf(i, values));
      }
      const result = await chain.run(station.bridge.key, BATCH_KIND, [readings.map(readingTuple)]);
      expect(result.status).toBe("ok");
      for (const e of readingEvents(result)) {
        outcomes.set(e.seq as number, { seq: e.seq as number, code: e.code as string, findings: e.findings as unknown as Outcome["findings"] });
      }
    }
  }

  const at = (i: number): Outcome => outcomes.get(i + 1)!;
  const codesOf = (o: Outcome): string[] => o.findings.map(([code, metric]) => `${code}:${metric}`);

  beforeAll(async () => {
    rows = loadAirQuality(480);
    chain = await DeviceChain.start();
    station = await setupStation(chain, { prefix: "uci" });
    spikeAt = firstCleanRun(rows, 60, 2);
    stuckFrom = firstCleanRun(rows, 110, STUCK_RUN + 1);
    driftFrom = firstCleanRun(rows, 200, 4);
    await replay(0, 312, (i, v) => {
      if (i === spikeAt) v.co_gt = 14; // above max 10, and +12 mg/m³ in an hour
      if (i > stuckFrom && i < stuckFrom + STUCK_RUN) v.t = rows[stuckFrom]!.values.t!;
      // A humidity sensor creeping away: a jump the EWMA has never seen, then 0.2 g/m³ more each hour.
      if (i >= driftFrom && i < driftFrom + DRIFT_RUN) v.ah = v.ah! + 0.6 + (i - driftFrom) * 0.2;
    });
  }, 30_000);
  afterAll(async () => {
    await chain?.close();
  });

  it("rejects the data set's -200 failures as HARD_VIOLATION and accepts the rest unflagged", () => {
    for (let i = 0; i < spikeAt; i++) {
      const missing = METRICS.some((m) => rows[i]!.values[m] === MISSING);
      expect(at(i).code, `row ${i}`).toBe(missing ? TxErrorCode.HARD_VIOLATION : "");
      if (!missing) expect(at(i).findings, `row ${i}`).toEqual([]);
    }
    expect([...outcomes.values()].filter((o) => o.code === TxErrorCode.HARD_VIOLATION).length).toBeGreaterThan(10);
  });

  it("flags an injected spike as OUT_OF_RANGE and RATE_OF_CHANGE", () => {
    expect(at(spikeAt).code).toBe("");
    expect(codesOf(at(spikeAt))).toEqual(expect.arrayContaining([`${ReadingFinding.OUT_OF_RANGE}:co_gt`, `${ReadingFinding.RATE_OF_CHANGE}:co_gt`]));
    expect(at(spikeAt).findings.find(([c]) => c === ReadingFinding.OUT_OF_RANGE)).toEqual([ReadingFinding.OUT_OF_RANGE, "co_gt", 14, 10]);
  });

  it("flags an injected stuck run as STUCK_VALUE from the profile's 8th repeat", () => {
    const stuck = Array.from({ length: STUCK_RUN }, (_, k) => codesOf(at(stuckFrom + k)).includes(`${ReadingFinding.STUCK_VALUE}:t`));
    expect(stuck).toEqual(Array.from({ length: STUCK_RUN }, (_, k) => k + 1 >= AIR_QUALITY_SPEC.stuck.repeats));
  });

  it("flags an injected drift as DRIFT, and the suspension policy halts the station", async () => {
    const drift = Array.from({ length: DRIFT_RUN }, (_, k) => at(driftFrom + k));
    // The jump is within the soft range and the rate limit: only the drift statistics catch it.
    expect(codesOf(drift[0]!)).toEqual([`${ReadingFinding.DRIFT}:ah`]);
    // As it creeps on it leaves the soft range too, flagged reading after flagged reading,
    // until the window holds the policy's count: the reading that trips it is the last accepted.
    const suspendedFrom = drift.findIndex((o) => o.code === TxErrorCode.DEVICE_SUSPENDED);
    expect(suspendedFrom).toBeGreaterThan(AIR_QUALITY_SPEC.policy.suspendAfter.anomalies);
    const window = drift.slice(0, suspendedFrom).filter((o) => o.findings.length > 0).slice(-AIR_QUALITY_SPEC.policy.suspendAfter.anomalies);
    expect(window.every((o) => codesOf(o).includes(`${ReadingFinding.OUT_OF_RANGE}:ah`))).toBe(true);
    // Every reading after the one that tripped the policy is refused, until reinstatement.
    for (let i = driftFrom + suspendedFrom; i < 312; i++) expect(at(i).code).toBe(TxErrorCode.DEVICE_SUSPENDED);
    const device = (await chain.device(station.sensors[0]!.id))!;
    expect(device.status).toBe("suspended");
    expect(device.anomalyWindow).toHaveLength(AIR_QUALITY_SPEC.policy.suspendAfter.anomalies);
  });

  it("resumes after reinstatement, and a revoked station never comes back", async () => {
    const id = station.sensors[0]!.id;
    expect((await chain.run(chain.t.operator, "devices.reinstate", [id])).status).toBe("ok");
    await replay(312, 384, () => undefined);
    const resumed = Array.from({ length: 72 }, (_, k) => at(312 + k));
    expect(resumed.every((o) => o.code === "" || o.code === TxErrorCode.HARD_VIOLATION)).toBe(true);
    expect(resumed.filter((o) => o.code === "").length).toBeGreaterThan(50);
    expect((await chain.device(id))!.status).toBe("active");

    expect((await chain.run(chain.t.operator, "devices.revoke", [id, "replaced"])).status).toBe("ok");
    await replay(384, 432, () => undefined);
    for (let i = 384; i < 432; i++) expect(at(i).code).toBe(TxErrorCode.DEVICE_REVOKED);
    expect((await chain.run(chain.t.operator, "devices.reinstate", [id])).code).toBe(DeviceErrorCode.DEVICE_REVOKED);
    const again = await chain.run(chain.t.operator, "devices.register", registerArgs({ id, key: generateKeyPair("p256"), bridge: station.bridge.id }));
    expect(again.code).toBe(DeviceErrorCode.ID_RETIRED);
    await replay(432, 456, () => undefined);
    for (let i = 432; i < 456; i++) expect(at(i).code).toBe(TxErrorCode.DEVICE_REVOKED);
  });

  it("counts the station's readings and anomalies on the device and its owner", async () => {
    const accepted = [...outcomes.values()].filter((o) => o.code === "");
    const flagged = accepted.filter((o) => o.findings.length > 0);
    const device = (await chain.device(station.sensors[0]!.id))!;
    expect(device.counters).toMatchObject({ readings: accepted.length, anomalies: flagged.length });
    expect(flagged.length).toBeGreaterThanOrEqual(2 + 2 + AIR_QUALITY_SPEC.policy.suspendAfter.anomalies);
  });
});
