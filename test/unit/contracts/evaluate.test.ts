import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decode, encode } from "../../../src/ledger/codec.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import {
  EMPTY_READING_STATE,
  encodedValuesSize,
  evaluateReading,
  readingStateTuple,
  readReadingStateTuple,
  type DeviceReadingState,
  type Evaluation,
  type ReadingValues,
} from "../../../src/contracts/modules/readings/evaluate.js";
import { ReadingFinding } from "../../../src/contracts/modules/readings/findings.js";
import { pushAnomaly } from "../../../src/contracts/modules/readings/methods.js";
import type { MetricSpec, ProfileSpec } from "../../../src/contracts/modules/profiles/spec.js";

const T0 = 1_700_000_000_000;

const metric = (m: Partial<MetricSpec> = {}): MetricSpec => ({ unit: "u", required: false, ...m });

/** A spec with `a` (required, hard 0..100) and `b` (optional), plus whatever `extra` adds. */
function spec(extra: Partial<ProfileSpec> = {}, a: Partial<MetricSpec> = {}, b: Partial<MetricSpec> = {}): ProfileSpec {
  return { metrics: [["a", metric({ required: true, hardMin: 0, hardMax: 100, ...a })], ["b", metric(b)]], ...extra };
}

function run(s: ProfileSpec, prior: DeviceReadingState, ts: number, values: ReadingValues, payloadBytes = encodedValuesSize(values)): Evaluation {
  return evaluateReading(s, prior, { ts, values, payloadBytes });
}

/** Feeds readings one after another (`step` ms apart) and returns every evaluation. */
function feed(s: ProfileSpec, readings: readonly ReadingValues[], step = 60_000): Evaluation[] {
  let state = EMPTY_READING_STATE;
  return readings.map((values, k) => {
    const e = run(s, state, T0 + k * step, values);
    state = e.next;
    return e;
  });
}

const codes = (e: Evaluation): string[] => e.findings.map((f) => `${f.code}:${f.metric}`);

describe("evaluateReading: hard violations reject the reading and keep the state", () => {
  const prior = feed(spec(), [[["a", 5]]])[0]!.next;
  it.each([
    ["UNKNOWN_METRIC before the spec's names", [["0", 1], ["a", 5]], "0"],
    ["UNKNOWN_METRIC between the spec's names", [["a", 5], ["aa", 1]], "aa"],
    ["UNKNOWN_METRIC after the spec's names", [["a", 5], ["z", 1]], "z"],
    ["MISSING_REQUIRED", [["b", 1]], "a"],
    ["NOT_FINITE", [["a", Number.NaN]], "a"],
    ["NOT_FINITE", [["a", Number.POSITIVE_INFINITY]], "a"],
    ["NOT_FINITE", [["a", 5], ["b", Number.NEGATIVE_INFINITY]], "b"],
    ["BELOW_HARD_MIN", [["a", -0.5]], "a"],
    ["ABOVE_HARD_MAX", [["a", 100.000001]], "a"],
  ] as const)("%s (%j)", (reason, values, metricName) => {
    const e = run(spec(), prior, T0 + 120_000, values as unknown as ReadingValues);
    expect(e.hard).toBe(TxErrorCode.HARD_VIOLATION);
    expect(e.violation).toMatchObject({ reason: reason.split(" ")[0], metric: metricName });
    expect(e.findings).toEqual([]);
    expect(e.next).toBe(prior);
  });

  it("reports the crossed hard bound", () => {
    expect(run(spec(), prior, T0 + 1, [["a", 101]]).violation).toEqual({ reason: "ABOVE_HARD_MAX", metric: "a", value: 101, bound: 100 });
    expect(run(spec(), prior, T0 + 1, [["a", -1]]).violation).toEqual({ reason: "BELOW_HARD_MIN", metric: "a", value: -1, bound: 0 });
  });

  it("accepts the hard bounds themselves and a missing optional metric", () => {
    expect(run(spec(), prior, T0 + 1, [["a", 0]]).hard).toBeNull();
    expect(run(spec(), prior, T0 + 1, [["a", 100]]).hard).toBeNull();
    expect(run(spec(), prior, T0 + 1, [["a", 50]]).hard).toBeNull();
  });

  it("checks hard bounds before soft ones: a reading both out of range and impossible is rejected", () => {
    const e = run(spec({}, { min: 10, max: 20 }), prior, T0 + 1, [["a", 200]]);
    expect(e.hard).toBe(TxErrorCode.HARD_VIOLATION);
  });
});

describe("evaluateReading: soft findings flag the reading", () => {
  it("accepts a clean reading with no findings and records the state", () => {
    const e = run(spec(), EMPTY_READING_STATE, T0, [["a", 5], ["b", -3.25]]);
    expect(e.hard).toBeNull();
    expect(e.findings).toEqual([]);
    expect(e.next).toEqual({
      count: 1,
      lastSeq: 0,
      lastTs: T0,
      metrics: [
        { name: "a", n: 0, mean: 0, variance: 0, last: 5, lastTs: T0, repeats: 1 },
        { name: "b", n: 0, mean: 0, variance: 0, last: -3.25, lastTs: T0, repeats: 1 },
      ],
    });
  });

  it("OUT_OF_RANGE below min and above max, with the bound crossed", () => {
    const s = spec({}, { min: 10, max: 20 });
    expect(run(s, EMPTY_READING_STATE, T0, [["a", 9.5]]).findings).toEqual([{ code: ReadingFinding.OUT_OF_RANGE, metric: "a", value: 9.5, bound: 10 }]);
    expect(run(s, EMPTY_READING_STATE, T0, [["a", 21]]).findings).toEqual([{ code: ReadingFinding.OUT_OF_RANGE, metric: "a", value: 21, bound: 20 }]);
    expect(run(s, EMPTY_READING_STATE, T0, [["a", 10]]).findings).toEqual([]);
    expect(run(s, EMPTY_READING_STATE, T0, [["a", 20]]).findings).toEqual([]);
  });

  it("RATE_OF_CHANGE against the metric's previous value, up and down", () => {
    const s = spec({}, { maxDeltaPerSecond: 0.1 }); // 6 per minute
    const [, up, ok, down] = feed(s, [[["a", 50]], [["a", 57]], [["a", 62]], [["a", 40]]]);
    expect(up!.findings).toEqual([{ code: ReadingFinding.RATE_OF_CHANGE, metric: "a", value: 57, bound: 56 }]);
    expect(ok!.findings).toEqual([]);
    expect(down!.findings).toEqual([{ code: ReadingFinding.RATE_OF_CHANGE, metric: "a", value: 40, bound: 56 }]);
  });

  it("RATE_OF_CHANGE measures time since the metric's own last value", () => {
    const s = spec({}, {}, { maxDeltaPerSecond: 0.1 });
    // b is absent from the second reading: 2 minutes allow a change of 12.
    const e = feed(s, [[["a", 1], ["b", 0]], [["a", 1]], [["a", 1], ["b", 11]]]);
    expect(e[2]!.findings).toEqual([]);
    expect(e[1]!.next.metrics[1]).toEqual(e[0]!.next.metrics[1]);
  });

  it("RATE_OF_CHANGE: any change within the same millisecond is too fast", () => {
    const s = spec({}, { maxDeltaPerSecond: 1000 });
    const first = run(s, EMPTY_READING_STATE, T0, [["a", 1]]);
    expect(codes(run(s, first.next, T0, [["a", 1.5]]))).toEqual(["RATE_OF_CHANGE:a"]);
    expect(codes(run(s, first.next, T0, [["a", 1]]))).toEqual([]);
  });

  it("TOO_FREQUENT when less than interval.minSeconds passed since the last reading", () => {
    const s = spec({ interval: { minSeconds: 30 } });
    const first = run(s, EMPTY_READING_STATE, T0, [["a", 1]]);
    expect(first.findings).toEqual([]);
    expect(run(s, first.next, T0 + 29_999, [["a", 2]]).findings).toEqual([{ code: ReadingFinding.TOO_FREQUENT, metric: "", value: 29.999, bound: 30 }]);
    expect(run(s, first.next, T0 + 30_000, [["a", 2]]).findings).toEqual([]);
  });

  it("PAYLOAD_TOO_LARGE when the encoded values exceed maxPayloadBytes", () => {
    const values: ReadingValues = [["a", 1.5], ["b", 2.5]];
    const size = encode(values as unknown as number[]).length;
    const s = spec({ maxPayloadBytes: size - 1 });
    expect(run(s, EMPTY_READING_STATE, T0, values).findings).toEqual([{ code: ReadingFinding.PAYLOAD_TOO_LARGE, metric: "", value: size, bound: size - 1 }]);
    expect(run(spec({ maxPayloadBytes: size }), EMPTY_READING_STATE, T0, values).findings).toEqual([]);
  });

  it("STUCK_VALUE from the `repeats`th identical value in a row, until the value changes", () => {
    const s = spec({ stuck: { repeats: 3 } });
    const e = feed(s, [5, 5, 5, 5, 6, 6, 6].map((x) => [["a", x]] as ReadingValues));
    expect(e.map((x) => codes(x).join())).toEqual(["", "", "STUCK_VALUE:a", "STUCK_VALUE:a", "", "", "STUCK_VALUE:a"]);
    expect(e[2]!.findings[0]).toEqual({ code: ReadingFinding.STUCK_VALUE, metric: "a", value: 5, bound: 3 });
    expect(e[3]!.next.metrics[0]!.repeats).toBe(4);
  });

  it("DRIFT: none during warm-up, then a value beyond zScore deviations of the EWMA", () => {
    const s = spec({ drift: { weight: 0.5, zScore: 2, warmup: 3 } });
    const e = feed(s, [10, 12, 10, 12, 11, 30].map((x) => [["a", x]] as ReadingValues));
    expect(e.slice(0, 5).every((x) => x.findings.length === 0)).toBe(true);
    const before = e[4]!.next.metrics[0]!;
    const spread = 2 * Math.sqrt(before.variance);
    expect(e[5]!.findings).toEqual([{ code: ReadingFinding.DRIFT, metric: "a", value: 30, bound: before.mean + spread }]);
  });

  it("DRIFT statistics follow mean' = mean + w(x − mean), var' = (1 − w)(var + w(x − mean)²), from mean = first value", () => {
    const s = spec({ drift: { weight: 0.25, zScore: 100, warmup: 1 } });
    const xs = [4, 8, 6, 10];
    const e = feed(s, xs.map((x) => [["a", x]] as ReadingValues));
    let mean = 4;
    let variance = 0;
    for (let k = 1; k < xs.length; k++) {
      const d = xs[k]! - mean;
      mean = mean + 0.25 * d;
      variance = (1 - 0.25) * (variance + 0.25 * d * d);
    }
    expect(e[3]!.next.metrics[0]).toMatchObject({ n: 4, mean, variance });
  });

  it("DRIFT below the mean reports the lower bound; a flagged value still updates the statistics", () => {
    const s = spec({ drift: { weight: 0.5, zScore: 1, warmup: 2 } });
    const e = feed(s, [50, 52, 50, 10].map((x) => [["a", x]] as ReadingValues));
    const before = e[2]!.next.metrics[0]!;
    expect(e[3]!.findings).toEqual([{ code: ReadingFinding.DRIFT, metric: "a", value: 10, bound: before.mean - Math.sqrt(before.variance) }]);
    expect(e[3]!.next.metrics[0]!.n).toBe(4);
  });

  it("sorts findings by metric then code, whole-reading findings first", () => {
    const s: ProfileSpec = {
      metrics: [
        ["a", metric({ max: 1, maxDeltaPerSecond: 0.001 })],
        ["b", metric({ min: 100 })],
      ],
      interval: { minSeconds: 3600 },
      maxPayloadBytes: 1,
      stuck: { repeats: 2 },
      drift: { weight: 0.5, zScore: 1, warmup: 1 },
    };
    const first = run(s, EMPTY_READING_STATE, T0, [["a", 0], ["b", 5]]);
    const second = run(s, first.next, T0 + 1000, [["a", 9], ["b", 5]]);
    expect(codes(second)).toEqual([
      "PAYLOAD_TOO_LARGE:",
      "TOO_FREQUENT:",
      "DRIFT:a",
      "OUT_OF_RANGE:a",
      "RATE_OF_CHANGE:a",
      "OUT_OF_RANGE:b",
      "STUCK_VALUE:b",
    ]);
  });

  it("drops the statistics of metrics the profile no longer has", () => {
    const prior = run(spec(), EMPTY_READING_STATE, T0, [["a", 1], ["b", 2]]).next;
    const onlyA: ProfileSpec = { metrics: [["a", metric({ required: true })]] };
    expect(run(onlyA, prior, T0 + 1, [["a", 1]]).next.metrics.map((m) => m.name)).toEqual(["a"]);
  });
});

// Generators: finite doubles (without -0, which the canonical codec writes as 0).
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
const anyNumber = fc.oneof(finite, fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, 127, 128, -32, -33, 255, 256, 65_535, 65_536));
const name = fc.string({ minLength: 1, maxLength: 40, unit: fc.constantFrom("a", "b", "é", "z", "_", "中", "😀") });
const valuesOf = (num: fc.Arbitrary<number>): fc.Arbitrary<ReadingValues> =>
  fc.uniqueArray(fc.tuple(name, num), { selector: ([n]) => n, maxLength: 20 }).map((pairs) => pairs.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)) as ReadingValues);

describe("evaluateReading properties", () => {
  const s: ProfileSpec = {
    metrics: [
      ["a", metric({ required: true, hardMin: -1000, hardMax: 1000, min: -50, max: 50, maxDeltaPerSecond: 1 })],
      ["b", metric({ min: 0, max: 10 })],
      ["c", metric({ hardMax: 5 })],
    ],
    interval: { minSeconds: 10 },
    maxPayloadBytes: 20,
    stuck: { repeats: 2 },
    drift: { weight: 0.3, zScore: 2, warmup: 3 },
  };
  const reading = fc.record({
    dt: fc.integer({ min: 0, max: 120_000 }),
    values: fc.record({ a: fc.integer({ min: -1200, max: 1200 }), b: fc.option(fc.integer({ min: -5, max: 15 })), c: fc.option(fc.double({ min: -10, max: 10, noNaN: true })) }),
  });
  const toValues = (v: { a: number; b: number | null; c: number | null }): ReadingValues =>
    [["a", v.a], ...(v.b === null ? [] : [["b", v.b]]), ...(v.c === null ? [] : [["c", v.c === 0 ? 0 : v.c]])] as unknown as ReadingValues;

  it("is pure and deterministic; findings sorted; rejections leave the state; accepted readings count", () => {
    fc.assert(
      fc.property(fc.array(reading, { minLength: 1, maxLength: 30 }), (readings) => {
        let state = EMPTY_READING_STATE;
        let ts = T0;
        for (const r of readings) {
          ts += r.dt;
          const values = toValues(r.values);
          const frozen = structuredClone(state);
          const e = run(s, state, ts, values);
          expect(run(s, state, ts, values)).toEqual(e);
          expect(state).toEqual(frozen);
          const keys = e.findings.map((f) => [f.metric, f.code] as const);
          const sorted = [...keys].sort(([m1, c1], [m2, c2]) => (m1 < m2 ? -1 : m1 > m2 ? 1 : c1 < c2 ? -1 : c1 > c2 ? 1 : 0));
          expect(keys).toEqual(sorted);
          if (e.hard !== null) {
            expect(e.next).toBe(state);
            expect(e.findings).toEqual([]);
          } else {
            expect(e.next.count).toBe(state.count + 1);
            expect(e.next.lastTs).toBe(ts);
            state = e.next;
          }
        }
      }),
    );
  });

  it("encodedValuesSize equals the canonical encoding's length", () => {
    fc.assert(
      fc.property(valuesOf(anyNumber), (values) => {
        expect(encodedValuesSize(values)).toBe(encode(values as unknown as number[]).length);
      }),
    );
  });

  it("the reading state tuple round-trips through the canonical codec", () => {
    const stats = fc.record({
      name,
      n: fc.nat(),
      mean: finite,
      variance: finite,
      last: finite,
      lastTs: fc.nat(),
      repeats: fc.nat(),
    });
    const stateArb = fc.record({
      count: fc.nat(),
      lastSeq: fc.maxSafeNat(),
      lastTs: fc.maxSafeNat(),
      metrics: fc.uniqueArray(stats, { selector: (m) => m.name, maxLength: 8 }),
    });
    fc.assert(
      fc.property(stateArb, (st) => {
        expect(readReadingStateTuple(decode(encode(readingStateTuple(st))))).toEqual(st);
      }),
    );
  });
});

describe("pushAnomaly (the suspension policy's window)", () => {
  it("keeps entries at most windowMs older than the new one, oldest first, at most `limit`", () => {
    expect(pushAnomaly([], 100, 50, 3)).toEqual([100]);
    expect(pushAnomaly([40, 49, 50, 90], 100, 50, 10)).toEqual([50, 90, 100]);
    expect(pushAnomaly([60, 70, 80, 90], 100, 50, 3)).toEqual([80, 90, 100]);
    expect(pushAnomaly([60, 70], 100, 50, 1)).toEqual([100]);
  });
});
