import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { query } from "../../../src/contracts/state.js";
import { AttestaError } from "../../../src/errors.js";
import { decodeTrusted, encode } from "../../../src/ledger/codec.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { DeviceErrorCode } from "../../../src/contracts/modules/devices/index.js";
import {
  MAX_SPEC_BYTES,
  parseProfileSpec,
  ProfileErrorCode,
  profileInForce,
  profileSpecToJson,
  readProfile,
  readSpec,
  specTuple,
} from "../../../src/contracts/modules/profiles/index.js";
import { AIR_QUALITY_SPEC, DeviceChain, eventAttributes, failedWith, invalidWith, MINIMAL_SPEC, OK, publishArgs, specJson } from "../../fixtures/devices.js";

/** The code and field of the error parseProfileSpec throws for `json`. */
function rejection(json: string): [string, unknown] {
  try {
    parseProfileSpec(json);
  } catch (err) {
    if (err instanceof AttestaError) return [err.code, err.details?.field];
    throw err;
  }
  throw new Error("accepted");
}

const metric = (m: object) => JSON.stringify({ metrics: { pm25: { unit: "ug/m3", ...m } } });
const withSpec = (extra: object) => JSON.stringify({ ...MINIMAL_SPEC, ...extra });

describe("parseProfileSpec", () => {
  it("reads a full spec: metrics sorted by name, absent fields absent, required false by default", () => {
    const spec = parseProfileSpec(specJson(AIR_QUALITY_SPEC));
    expect(spec.metrics.map(([name]) => name)).toEqual(["ah", "c6h6_gt", "co_gt", "no2_gt", "nox_gt", "rh", "t"]);
    expect(spec.policy).toEqual({ suspendAfter: { anomalies: 5, windowSeconds: 21_600 } });
    expect(parseProfileSpec(JSON.stringify({ metrics: { z: { unit: "a" }, a: { unit: "b", max: -0 } } }))).toEqual({
      metrics: [
        ["a", { unit: "b", max: 0, required: false }],
        ["z", { unit: "a", required: false }],
      ],
    });
    expect(Object.is((parseProfileSpec(metric({ min: -0 })).metrics[0]![1].min), 0)).toBe(true);
  });

  it("round-trips through its state tuple and through JSON", () => {
    for (const json of [specJson(AIR_QUALITY_SPEC), specJson(MINIMAL_SPEC), withSpec({ interval: {}, policy: {} })]) {
      const spec = parseProfileSpec(json);
      expect(readSpec(decodeTrusted(encode(specTuple(spec))))).toEqual(spec);
      expect(parseProfileSpec(JSON.stringify(profileSpecToJson(spec)))).toEqual(spec);
    }
    expect(profileSpecToJson(parseProfileSpec(specJson(AIR_QUALITY_SPEC)))).toEqual(AIR_QUALITY_SPEC);
  });

  it("PROFILE_INVALID naming the field, for every rule", () => {
    const cases: [string, string][] = [
      ["{", ""],
      ["[]", ""],
      ["null", ""],
      [JSON.stringify({}), "metrics"],
      [JSON.stringify({ metrics: {} }), "metrics"],
      [JSON.stringify({ metrics: [] }), "metrics"],
      [JSON.stringify({ metrics: { PM25: { unit: "" } } }), "metrics.PM25"],
      [JSON.stringify({ metrics: { ["a".repeat(33)]: { unit: "" } } }), `metrics.${"a".repeat(33)}`],
      [JSON.stringify({ metrics: { "pm-25": { unit: "" } } }), "metrics.pm-25"],
      [JSON.stringify({ ...MINIMAL_SPEC, colour: "red" }), "colour"],
      [metric({ colour: "red" }), "metrics.pm25.colour"],
      [JSON.stringify({ metrics: { pm25: {} } }), "metrics.pm25.unit"],
      [metric({ unit: "u".repeat(33) }), "metrics.pm25.unit"],
      [metric({ required: "yes" }), "metrics.pm25.required"],
      [metric({ min: "1" }), "metrics.pm25.min"],
      [metric({ max: null }), "metrics.pm25.max"],
      ['{"metrics":{"pm25":{"unit":"","hardMax":1e999}}}', "metrics.pm25.hardMax"],
      [metric({ min: 5, max: 4 }), "metrics.pm25.max"],
      [metric({ hardMin: 1, min: 0 }), "metrics.pm25.min"],
      [metric({ max: 10, hardMax: 9 }), "metrics.pm25.hardMax"],
      [metric({ hardMin: 10, max: 9 }), "metrics.pm25.max"],
      [metric({ hardMin: 10, hardMax: 9 }), "metrics.pm25.hardMax"],
      [metric({ maxDeltaPerSecond: 0 }), "metrics.pm25.maxDeltaPerSecond"],
      [withSpec({ interval: { minSeconds: -1 } }), "interval.minSeconds"],
      [withSpec({ interval: { maxSeconds: 0 } }), "interval.maxSeconds"],
      [withSpec({ interval: { minSeconds: 10, maxSeconds: 5 } }), "interval.maxSeconds"],
      [withSpec({ interval: { every: 5 } }), "interval.every"],
      [withSpec({ interval: 60 }), "interval"],
      [withSpec({ maxPayloadBytes: 0 }), "maxPayloadBytes"],
      [withSpec({ maxPayloadBytes: 1.5 }), "maxPayloadBytes"],
      [withSpec({ stuck: { repeats: 1 } }), "stuck.repeats"],
      [withSpec({ stuck: { repeats: 2.5 } }), "stuck.repeats"],
      [withSpec({ stuck: {} }), "stuck.repeats"],
      [withSpec({ drift: { weight: 0, zScore: 3, warmup: 1 } }), "drift.weight"],
      [withSpec({ drift: { weight: 1.5, zScore: 3, warmup: 1 } }), "drift.weight"],
      [withSpec({ drift: { weight: 0.1, zScore: 0, warmup: 1 } }), "drift.zScore"],
      [withSpec({ drift: { weight: 0.1, zScore: 3, warmup: 0 } }), "drift.warmup"],
      [withSpec({ policy: { suspendAfter: { anomalies: 0, windowSeconds: 60 } } }), "policy.suspendAfter.anomalies"],
      [withSpec({ policy: { suspendAfter: { anomalies: 1.5, windowSeconds: 60 } } }), "policy.suspendAfter.anomalies"],
      [withSpec({ policy: { suspendAfter: { anomalies: 3, windowSeconds: 0 } } }), "policy.suspendAfter.windowSeconds"],
      [withSpec({ policy: { halt: true } }), "policy.halt"],
      [specJson(MINIMAL_SPEC).padEnd(MAX_SPEC_BYTES + 1, " "), ""],
      [withSpec({ note: "é".repeat(9_000) }), ""], // 9,000 characters, 18,000 UTF-8 bytes
    ];
    for (const [json, field] of cases) expect([json, ...rejection(json)]).toEqual([json, ProfileErrorCode.PROFILE_INVALID, field]);
  });

  it("accepts the boundaries: min = max, weight 1, repeats 2, minSeconds 0, a spec of exactly 16 KiB", () => {
    expect(() => parseProfileSpec(metric({ hardMin: 1, min: 1, max: 1, hardMax: 1 }))).not.toThrow();
    expect(() => parseProfileSpec(withSpec({ drift: { weight: 1, zScore: 0.5, warmup: 1 }, stuck: { repeats: 2 }, interval: { minSeconds: 0 } }))).not.toThrow();
    expect(() => parseProfileSpec(specJson(MINIMAL_SPEC).padEnd(MAX_SPEC_BYTES, " "))).not.toThrow();
  });
});

describe("profiles", () => {
  let c: DeviceChain;

  beforeEach(async () => {
    c = await DeviceChain.start();
  });
  afterEach(async () => {
    await c.close();
  });

  it("an admin publishes version 1, then the next; profile.published; the newest is read by default", async () => {
    const first = await c.publishProfile("aq", MINIMAL_SPEC);
    expect(first).toMatchObject(OK);
    expect(first.events.map((e) => [e.type, eventAttributes(e)])).toEqual([["profile.published", { profile: "aq", version: 1 }]]);
    const firstHeight = c.height;
    const second = await c.publishProfile("aq", AIR_QUALITY_SPEC);
    expect(eventAttributes(second.events[0]!)).toEqual({ profile: "aq", version: 2 });
    expect(await c.profile("aq")).toEqual({ id: "aq", version: 2, spec: parseProfileSpec(specJson(AIR_QUALITY_SPEC)), publishedAt: c.height });
    expect(await c.profile("aq", 1)).toEqual({ id: "aq", version: 1, spec: parseProfileSpec(specJson(MINIMAL_SPEC)), publishedAt: firstHeight });
    expect(await c.profile("aq", 3)).toBeUndefined();
    expect(await c.profile("other")).toBeUndefined();
  });

  it("UNAUTHORISED for anyone but an admin", async () => {
    for (const who of [c.t.operator, c.t.consumer, c.t.stranger]) {
      expect(await c.run(who, "profiles.publish", publishArgs("aq", MINIMAL_SPEC))).toMatchObject(failedWith(ProfileErrorCode.UNAUTHORISED));
    }
  });

  it("PROFILE_INVALID in the receipt for a spec that breaks a rule (nothing stored); MALFORMED for bad arguments", async () => {
    expect(await c.publishProfile("aq", '{"metrics":{}}')).toMatchObject(failedWith(ProfileErrorCode.PROFILE_INVALID));
    expect(await c.profile("aq")).toBeUndefined();
    for (const args of [["AQ", specJson(MINIMAL_SPEC)], ["aq", 5], ["aq", "x".repeat(MAX_SPEC_BYTES + 1)], ["aq"]]) {
      expect(await c.run(c.t.admin, "profiles.publish", args)).toMatchObject(invalidWith(TxErrorCode.MALFORMED));
    }
  });

  it("profileInForce: a version governs from the block after its publication; several in one block, the newest", async () => {
    await c.publishProfile("aq", MINIMAL_SPEC);
    const h1 = c.height;
    expect(await query(c.state, (s) => profileInForce(s, "aq", h1))).toBeUndefined();
    expect((await query(c.state, (s) => profileInForce(s, "aq", h1 + 1)))?.version).toBe(1);
    const txs = [await c.tx(c.t.admin, "profiles.publish", publishArgs("aq", AIR_QUALITY_SPEC)), await c.tx(c.t.admin, "profiles.publish", publishArgs("aq", MINIMAL_SPEC))];
    expect(await c.outcomes(txs)).toMatchObject([OK, OK]);
    const h2 = c.height;
    expect((await query(c.state, (s) => profileInForce(s, "aq", h2)))?.version).toBe(1);
    expect((await query(c.state, (s) => profileInForce(s, "aq", h2 + 1)))?.version).toBe(3);
    expect((await query(c.state, (s) => readProfile(s, "aq")))?.version).toBe(3);
    expect(await query(c.state, (s) => profileInForce(s, "nope", h2 + 1))).toBeUndefined();
  });

  describe("assign", () => {
    beforeEach(async () => {
      await c.publishProfile();
      await c.publishProfile("noise", MINIMAL_SPEC);
    });

    it("the owner or an admin assigns a published profile; profile.assigned", async () => {
      const { id } = await c.registerDevice();
      const assigned = await c.run(c.t.operator, "profiles.assign", [id, "noise"]);
      expect(assigned.events.map((e) => [e.type, eventAttributes(e)])).toEqual([["profile.assigned", { device: id, profile: "noise", previous: "air-quality" }]]);
      expect((await c.device(id))?.profileId).toBe("noise");
      expect(await c.run(c.t.admin, "profiles.assign", [id, "air-quality"])).toMatchObject(OK);
      expect((await c.device(id))?.profileId).toBe("air-quality");
    });

    it("NOT_OWNER, PROFILE_UNKNOWN, DEVICE_UNKNOWN, DEVICE_REVOKED, MALFORMED", async () => {
      const { id } = await c.registerDevice();
      expect(await c.run(c.t.operator2, "profiles.assign", [id, "noise"])).toMatchObject(failedWith(ProfileErrorCode.NOT_OWNER));
      expect(await c.run(c.t.operator, "profiles.assign", [id, "nope"])).toMatchObject(failedWith(ProfileErrorCode.PROFILE_UNKNOWN));
      expect(await c.run(c.t.operator, "profiles.assign", ["ghost", "noise"])).toMatchObject(failedWith(ProfileErrorCode.DEVICE_UNKNOWN));
      expect(await c.run(c.t.operator, "devices.revoke", [id, ""])).toMatchObject(OK);
      expect(await c.run(c.t.admin, "profiles.assign", [id, "noise"])).toMatchObject(failedWith(DeviceErrorCode.DEVICE_REVOKED));
      expect(await c.run(c.t.operator, "profiles.assign", [id, "No ise"])).toMatchObject(invalidWith(TxErrorCode.MALFORMED));
    });
  });
});
