import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { query } from "../../../src/contracts/state.js";
import { generateKeyPair, type KeyPair } from "../../../src/crypto/keys.js";
import type { KeyType } from "../../../src/crypto/keyTypes.js";
import { ExecErrorCode, readAccount } from "../../../src/contracts/index.js";
import { DeviceErrorCode } from "../../../src/contracts/modules/devices/index.js";
import { READING_EVENT, ReadingFinding, ReadingRejection } from "../../../src/contracts/modules/readings/findings.js";
import { MAX_BATCH_READINGS, MAX_READING_SKEW_MS, type ReadingArgs } from "../../../src/contracts/modules/readings/methods.js";
import { readReadingState } from "../../../src/contracts/modules/readings/state.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { DeviceChain, registerArgs, type Outcome } from "../../fixtures/devices.js";
import { BATCH_KIND, findingCodes, reading, readingCodes, readingEvents, readingTuple, setupStation, SUBMIT_KIND, type Station } from "../../fixtures/readings.js";

const PROFILE = "room";
/** temp: required, soft 0..40, hard -50..100, at most 0.1 °C/s; hum: optional, hard 0..100. */
const SPEC = {
  metrics: {
    hum: { unit: "%", hardMin: 0, hardMax: 100 },
    temp: { unit: "C", required: true, min: 0, max: 40, hardMin: -50, hardMax: 100, maxDeltaPerSecond: 0.1 },
  },
  interval: { minSeconds: 30 },
  stuck: { repeats: 3 },
  policy: { suspendAfter: { anomalies: 3, windowSeconds: 600 } },
};

/** Readings a minute apart from a day before genesis: always behind the block clock. */
const BASE_TS = 1_700_000_000_000 - 86_400_000;
const tsOf = (seq: number): number => BASE_TS + seq * 60_000;
/** A clean reading: temp alternates 20 / 20.5 so it never sticks. */
const ok = (id: string, seq: number, values: Record<string, number> = {}): ReadingArgs =>
  reading(id, seq, tsOf(seq), { temp: 20 + (seq % 2) * 0.5, ...values });

describe("readings module through real blocks", () => {
  let chain: DeviceChain;
  let station: Station;
  let sensor: { id: string; key: KeyPair };
  let sensor2: { id: string; key: KeyPair };

  beforeEach(async () => {
    chain = await DeviceChain.start();
    station = await setupStation(chain, { profileId: PROFILE, spec: SPEC, sensors: 2 });
    [sensor, sensor2] = station.sensors as [{ id: string; key: KeyPair }, { id: string; key: KeyPair }];
  });
  afterEach(async () => {
    await chain.close();
  });

  const submit = (key: KeyPair, r: ReadingArgs, timestamp?: number): Promise<Outcome> => chain.run(key, SUBMIT_KIND, readingTuple(r), { timestamp });
  const batch = (readings: readonly ReadingArgs[], key: KeyPair = station.bridge.key): Promise<Outcome> =>
    chain.run(key, BATCH_KIND, [readings.map(readingTuple)]);
  const status = async (id: string) => (await chain.device(id))?.status;

  describe("readings.submit", () => {
    it.each<KeyType>(["secp256k1", "p256", "ed25519"])("accepts a reading signed by the device's own %s key and emits its event", async (keyType) => {
      const { id, key, outcome } = await chain.registerDevice({ keyType, profileId: PROFILE });
      expect(outcome.status).toBe("ok");
      const r = ok(id, 7, { hum: 40 });
      const result = await submit(key, r);
      expect(result).toMatchObject({ status: "ok", code: "" });
      expect(result.events).toHaveLength(1);
      expect(result.events[0]!.type).toBe(READING_EVENT);
      expect(result.events[0]!.attributes.map(([k]) => k)).toEqual(["device", "seq", "ts", "status", "code", "profile", "version", "values", "findings"]);
      expect(readingEvents(result)[0]).toEqual({
        device: id,
        seq: 7,
        ts: r.ts,
        status: "ok",
        code: "",
        profile: PROFILE,
        version: 1,
        values: [["hum", 40], ["temp", 20.5]],
        findings: [],
      });
      expect(await query(chain.state, (s) => readReadingState(s, id))).toMatchObject({ count: 1, lastSeq: 7, lastTs: r.ts });
    });

    it("UNAUTHORISED for another device's reading; the owner still pays the fee", async () => {
      const before = (await query(chain.state, (s) => readAccount(s, chain.t.operator.address)))!.balance;
      const result = await submit(sensor.key, ok(sensor2.id, 1));
      expect(result).toMatchObject({ status: "failed", code: ExecErrorCode.UNAUTHORISED });
      expect((await query(chain.state, (s) => readAccount(s, chain.t.operator.address)))!.balance).toBe(before - result.fee);
      expect((await chain.device(sensor.id))!).toMatchObject({ nonce: 1, counters: { txs: 1, readings: 0, feesPaid: result.fee } });
      expect((await query(chain.state, (s) => readReadingState(s, sensor2.id))).count).toBe(0);
    });

    it("a rejected reading fails the receipt with its code and changes no reading state", async () => {
      expect((await submit(sensor.key, ok(sensor.id, 1, { temp: 101 }))).code).toBe(TxErrorCode.HARD_VIOLATION);
      expect((await submit(sensor.key, ok(sensor.id, 1, { hum: -1 }))).code).toBe(TxErrorCode.HARD_VIOLATION);
      expect((await submit(sensor.key, reading(sensor.id, 1, tsOf(1), { hum: 5 }))).code).toBe(TxErrorCode.HARD_VIOLATION); // temp missing
      expect((await submit(sensor.key, ok(sensor.id, 1, { co2: 400 }))).code).toBe(TxErrorCode.HARD_VIOLATION); // unknown metric
      const failed = await submit(sensor.key, ok(sensor.id, 1, { temp: -60 }));
      expect(failed).toMatchObject({ status: "failed", code: TxErrorCode.HARD_VIOLATION, events: [] });
      expect((await query(chain.state, (s) => readReadingState(s, sensor.id))).count).toBe(0);
      expect((await submit(sensor.key, ok(sensor.id, 1))).status).toBe("ok");
      expect((await chain.device(sensor.id))!.counters).toMatchObject({ txs: 6, readings: 1, anomalies: 0 });
    });

    it("a suspended device still signs, and its reading fails DEVICE_SUSPENDED", async () => {
      expect((await chain.run(chain.t.operator, "devices.suspend", [sensor.id, "maintenance"])).status).toBe("ok");
      expect(await submit(sensor.key, ok(sensor.id, 1))).toMatchObject({ status: "failed", code: TxErrorCode.DEVICE_SUSPENDED });
    });

    it("a revoked device cannot sign at all: its submit is left out of the block (DEVICE_REVOKED)", async () => {
      expect((await chain.run(chain.t.operator, "devices.revoke", [sensor.id, "stolen"])).status).toBe("ok");
      expect(await submit(sensor.key, ok(sensor.id, 1))).toMatchObject({ status: "invalid", code: TxErrorCode.DEVICE_REVOKED });
    });
  });

  describe("readings.batch", () => {
    it("accepts readings of devices bound to the bridge, one event each, and counts them", async () => {
      const result = await batch([ok(sensor.id, 1), ok(sensor2.id, 1), ok(sensor.id, 2)]);
      expect(result).toMatchObject({ status: "ok", code: "" });
      expect(readingEvents(result).map((e) => [e.device, e.seq, e.status, e.version])).toEqual([
        [sensor.id, 1, "ok", 1],
        [sensor2.id, 1, "ok", 1],
        [sensor.id, 2, "ok", 1],
      ]);
      expect(await query(chain.state, (s) => readReadingState(s, sensor.id))).toMatchObject({ count: 2, lastSeq: 2, lastTs: tsOf(2) });
      expect((await chain.device(sensor.id))!.counters).toMatchObject({ txs: 0, readings: 2, anomalies: 0, feesPaid: 0n });
      expect((await chain.device(station.bridge.id))!.counters).toMatchObject({ txs: 1, readings: 0, feesPaid: result.fee });
      expect((await query(chain.state, (s) => readAccount(s, chain.t.operator.address)))!.counters).toMatchObject({ readings: 3, anomalies: 0 });
    });

    it("each reading succeeds or fails on its own: NOT_BOUND_TO_BRIDGE, DEVICE_UNKNOWN, SEQ_REPLAY", async () => {
      const loose = await chain.registerDevice({ id: "loose", profileId: PROFILE });
      const result = await batch([ok(sensor.id, 1), ok(loose.id, 1), ok("nobody", 1), ok(sensor.id, 1), ok(sensor2.id, 1)]);
      expect(result.status).toBe("ok");
      expect(readingCodes(result)).toEqual(["", TxErrorCode.NOT_BOUND_TO_BRIDGE, TxErrorCode.DEVICE_UNKNOWN, TxErrorCode.SEQ_REPLAY, ""]);
      expect(readingEvents(result)[2]).toMatchObject({ status: "failed", profile: "", version: 0, findings: [] });
      expect(readingEvents(result)[3]).toMatchObject({ status: "failed", profile: PROFILE, version: 1 });
      expect((await query(chain.state, (s) => readReadingState(s, loose.id))).count).toBe(0);
      expect((await query(chain.state, (s) => readAccount(s, chain.t.operator.address)))!.counters.readings).toBe(2);
    });

    it("UNAUTHORISED when a sensor signs a batch", async () => {
      expect(await batch([ok(sensor2.id, 1)], sensor.key)).toMatchObject({ status: "failed", code: ExecErrorCode.UNAUTHORISED });
    });

    it("DEVICE_SUSPENDED for the whole batch when the bridge is suspended", async () => {
      await chain.run(chain.t.operator, "devices.suspend", [station.bridge.id, "firmware update"]);
      expect(await batch([ok(sensor.id, 1)])).toMatchObject({ status: "failed", code: TxErrorCode.DEVICE_SUSPENDED });
    });

    it("suspended and revoked devices' readings fail with their status code", async () => {
      await chain.run(chain.t.operator, "devices.suspend", [sensor.id, "maintenance"]);
      await chain.run(chain.t.operator, "devices.revoke", [sensor2.id, "stolen"]);
      const result = await batch([ok(sensor.id, 1), ok(sensor2.id, 1)]);
      expect(readingCodes(result)).toEqual([TxErrorCode.DEVICE_SUSPENDED, TxErrorCode.DEVICE_REVOKED]);
    });

    it("refuses malformed arguments before execution (MALFORMED: the transaction is left out)", async () => {
      const good = readingTuple(ok(sensor.id, 1));
      const cases = [
        [[]], // empty batch
        [Array.from({ length: MAX_BATCH_READINGS + 1 }, (_, k) => readingTuple(ok(sensor.id, k + 1)))],
        [[[sensor.id, 1, tsOf(1), [["temp", 20], ["hum", 5]]]]], // unsorted
        [[[sensor.id, 1, tsOf(1), [["temp", 20], ["temp", 21]]]]], // duplicate
        [[[sensor.id, 1, tsOf(1), [["temp", "20"]]]]], // not a number
        [[[sensor.id, -1, tsOf(1), [["temp", 20]]]]], // negative seq
        [[[sensor.id, 1, 1.5, [["temp", 20]]]]], // fractional ts
        [[["Not An Id", 1, tsOf(1), [["temp", 20]]]]],
        [[[...good, "extra"]]],
      ];
      for (const args of cases) {
        expect(await chain.run(station.bridge.key, BATCH_KIND, args)).toMatchObject({ status: "invalid", code: TxErrorCode.MALFORMED });
      }
      expect(await chain.run(sensor.key, SUBMIT_KIND, [sensor.id, 1, tsOf(1)])).toMatchObject({ status: "invalid", code: TxErrorCode.MALFORMED });
    });

    it("HARD_VIOLATION for a non-finite value (the wire carries NaN and infinities; no profile accepts them)", async () => {
      const raw = (seq: number, temp: number) => [sensor.id, seq, tsOf(seq), [["temp", temp]]];
      const result = await chain.run(station.bridge.key, BATCH_KIND, [[raw(1, Number.NaN), raw(2, Infinity), raw(3, -Infinity), raw(4, 20)]]);
      expect(readingCodes(result)).toEqual([TxErrorCode.HARD_VIOLATION, TxErrorCode.HARD_VIOLATION, TxErrorCode.HARD_VIOLATION, ""]);
    });

    it(`accepts a batch of ${MAX_BATCH_READINGS} readings`, async () => {
      const readings = Array.from({ length: MAX_BATCH_READINGS }, (_, k) => ok(k % 2 ? sensor2.id : sensor.id, k + 1, { temp: 20 + (k % 5) * 0.5 }));
      const result = await batch(readings);
      expect(readingCodes(result).filter((c) => c === "")).toHaveLength(MAX_BATCH_READINGS);
    });
  });

  describe("sequence and time", () => {
    it("SEQ_REPLAY for a seq not above the last; gaps are fine", async () => {
      expect(readingCodes(await batch([ok(sensor.id, 5)]))).toEqual([""]);
      expect(readingCodes(await batch([ok(sensor.id, 5), ok(sensor.id, 4), reading(sensor.id, 9, tsOf(5), { temp: 20 })]))).toEqual([
        TxErrorCode.SEQ_REPLAY,
        TxErrorCode.SEQ_REPLAY,
        "",
      ]);
      expect(await submit(sensor.key, ok(sensor.id, 9))).toMatchObject({ status: "failed", code: TxErrorCode.SEQ_REPLAY });
    });

    it("TS_OUT_OF_ORDER when ts goes back; the same ts is accepted", async () => {
      const result = await batch([ok(sensor.id, 2), reading(sensor.id, 3, tsOf(1), { temp: 20 }), reading(sensor.id, 4, tsOf(2), { temp: 20 })]);
      expect(readingCodes(result)).toEqual(["", ReadingRejection.TS_OUT_OF_ORDER, ""]);
      expect(findingCodes(result)[2]).toEqual([ReadingFinding.TOO_FREQUENT]);
    });

    it(`TS_IN_FUTURE past the block time + ${MAX_READING_SKEW_MS} ms`, async () => {
      const at = chain.time + 10_000;
      const tx1 = await chain.tx(sensor.key, SUBMIT_KIND, readingTuple(reading(sensor.id, 1, at + MAX_READING_SKEW_MS, { temp: 20 })));
      const tx2 = await chain.tx(sensor.key, SUBMIT_KIND, readingTuple(reading(sensor.id, 2, at + MAX_READING_SKEW_MS + 1, { temp: 20 })));
      const [first, second] = await chain.outcomes([tx1, tx2], at);
      expect(first!.status).toBe("ok");
      expect(second).toMatchObject({ status: "failed", code: ReadingRejection.TS_IN_FUTURE });
    });
  });

  describe("findings, anomalies and the suspension policy", () => {
    it("a soft finding flags the reading: accepted, recorded in the event, the window and the counters", async () => {
      const result = await submit(sensor.key, ok(sensor.id, 1, { temp: 45 }));
      expect(result.status).toBe("ok");
      expect(readingEvents(result)[0]).toMatchObject({ status: "ok", findings: [[ReadingFinding.OUT_OF_RANGE, "temp", 45, 40]] });
      const device = (await chain.device(sensor.id))!;
      expect(device.anomalyWindow).toEqual([tsOf(1)]);
      expect(device.counters).toMatchObject({ readings: 1, anomalies: 1 });
      expect((await query(chain.state, (s) => readAccount(s, chain.t.operator.address)))!.counters).toMatchObject({ readings: 1, anomalies: 1 });
      expect(device.status).toBe("active");
    });

    it("flags RATE_OF_CHANGE, TOO_FREQUENT and STUCK_VALUE through execution", async () => {
      const result = await batch([
        ok(sensor.id, 1),
        reading(sensor.id, 2, tsOf(2), { temp: 30 }), // +9.5 in 60 s, at most 6
        reading(sensor.id, 3, tsOf(2) + 10_000, { temp: 30.5 }), // 10 s after the last
      ]);
      expect(findingCodes(result)).toEqual([[], [ReadingFinding.RATE_OF_CHANGE], [ReadingFinding.TOO_FREQUENT]]);
      const stuck = await batch([1, 2, 3].map((seq) => reading(sensor2.id, seq, tsOf(seq), { temp: 21 })));
      expect(findingCodes(stuck)).toEqual([[], [], [ReadingFinding.STUCK_VALUE]]);
    });

    it("suspends the device in the same block once the window holds `anomalies` flagged readings", async () => {
      const result = await batch([
        ok(sensor.id, 1, { temp: 41 }),
        ok(sensor.id, 2, { temp: 40 }),
        ok(sensor.id, 3, { temp: 41 }),
        ok(sensor2.id, 1),
        ok(sensor.id, 4, { temp: 41 }),
        ok(sensor.id, 5, { temp: 40 }),
        ok(sensor2.id, 2),
      ]);
      expect(result.events.map((e) => (e.type === READING_EVENT ? (e.attributes[4]![1] as string) || "ok" : e.type))).toEqual([
        "ok",
        "ok",
        "ok",
        "ok",
        "ok",
        "device.suspended",
        TxErrorCode.DEVICE_SUSPENDED,
        "ok",
      ]);
      expect(result.events[5]!.attributes[0]).toEqual(["device", sensor.id]);
      const device = (await chain.device(sensor.id))!;
      expect(device).toMatchObject({ status: "suspended", anomalyWindow: [tsOf(1), tsOf(3), tsOf(4)], counters: { readings: 4, anomalies: 3 } });
    });

    it("flagged readings outside the window do not count", async () => {
      // 4 flagged readings, 10 minutes apart: the window (600 s, ends included) never holds more than 2.
      const result = await batch([0, 10, 20, 30].map((m, k) => reading(sensor.id, k + 1, tsOf(m), { temp: 41 + k })));
      expect(findingCodes(result)).toEqual(Array(4).fill([ReadingFinding.OUT_OF_RANGE]));
      expect(await status(sensor.id)).toBe("active");
      expect((await chain.device(sensor.id))!.anomalyWindow).toEqual([tsOf(20), tsOf(30)]);
    });

    it("a reinstated device resumes with an empty window; a revoked one never returns", async () => {
      await batch([1, 2, 3].map((seq) => ok(sensor.id, seq, { temp: 41 })));
      expect(await status(sensor.id)).toBe("suspended");
      expect(readingCodes(await batch([ok(sensor.id, 4)]))).toEqual([TxErrorCode.DEVICE_SUSPENDED]);

      expect((await chain.run(chain.t.operator, "devices.reinstate", [sensor.id])).status).toBe("ok");
      expect((await chain.device(sensor.id))!.anomalyWindow).toEqual([]);
      const resumed = await batch([ok(sensor.id, 4), ok(sensor.id, 5, { temp: 41 })]);
      expect(readingCodes(resumed)).toEqual(["", ""]);
      expect(await status(sensor.id)).toBe("active");

      expect((await chain.run(chain.t.operator, "devices.revoke", [sensor.id, "tampered"])).status).toBe("ok");
      expect(readingCodes(await batch([ok(sensor.id, 6)]))).toEqual([TxErrorCode.DEVICE_REVOKED]);
      expect((await chain.run(chain.t.operator, "devices.reinstate", [sensor.id])).code).toBe(DeviceErrorCode.DEVICE_REVOKED);
      const again = await chain.run(chain.t.operator, "devices.register", registerArgs({ id: sensor.id, key: generateKeyPair(), profileId: PROFILE, bridge: station.bridge.id }));
      expect(again.code).toBe(DeviceErrorCode.ID_RETIRED);
      expect(readingCodes(await batch([ok(sensor.id, 7)]))).toEqual([TxErrorCode.DEVICE_REVOKED]);
    });
  });

  describe("profile versions", () => {
    it("a new version applies from the next block, and every event records the version it was checked against", async () => {
      const strict = { ...SPEC, metrics: { ...SPEC.metrics, temp: { ...SPEC.metrics.temp, max: 10 } } };
      const publish = await chain.tx(chain.t.admin, "profiles.publish", [PROFILE, JSON.stringify(strict)]);
      const sameBlock = await chain.tx(station.bridge.key, BATCH_KIND, [[readingTuple(ok(sensor.id, 1))]]);
      const [published, first] = await chain.outcomes([publish, sameBlock]);
      expect(published!.status).toBe("ok");
      expect(readingEvents(first!)[0]).toMatchObject({ status: "ok", version: 1, findings: [] });

      const next = await batch([ok(sensor.id, 2)]);
      expect(readingEvents(next)[0]).toMatchObject({ status: "ok", version: 2, findings: [[ReadingFinding.OUT_OF_RANGE, "temp", 20, 10]] });
    });

    it("PROFILE_NOT_IN_FORCE for a device whose profile was first published in this very block", async () => {
      const key = generateKeyPair("ed25519");
      const txs = [
        await chain.tx(chain.t.admin, "profiles.publish", ["fresh", JSON.stringify(SPEC)]),
        await chain.tx(chain.t.operator, "devices.register", registerArgs({ id: "fresh-1", key, profileId: "fresh" })),
        await chain.tx(key, SUBMIT_KIND, readingTuple(ok("fresh-1", 1))),
      ];
      const outcomes = await chain.outcomes(txs);
      expect(outcomes.map((o) => o.code)).toEqual(["", "", ReadingRejection.PROFILE_NOT_IN_FORCE]);
      expect((await submit(key, ok("fresh-1", 1))).status).toBe("ok");
    });

    it("a reassigned profile applies to the device's next reading", async () => {
      await chain.publishProfile("cold", { metrics: { temp: { unit: "C", required: true, max: 5 } } });
      expect((await chain.run(chain.t.operator, "profiles.assign", [sensor.id, "cold"])).status).toBe("ok");
      expect(readingEvents(await batch([ok(sensor.id, 1)]))[0]).toMatchObject({ profile: "cold", version: 1, findings: [[ReadingFinding.OUT_OF_RANGE, "temp", 20.5, 5]] });
    });
  });
});
