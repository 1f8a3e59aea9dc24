// The behaviour checks of a reading against its device's profile: a pure function of the
// spec, the device's reading state and the reading. Values are IEEE doubles combined with
// + - * / and Math.sqrt only, and every list is walked in name order, so every node finds the
// same findings and the same next state.
import { AttestaError } from "../../../errors.js";
import { CodecErrorCode, type Encodable } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { TxErrorCode } from "../../../ledger/txErrors.js";
import type { ProfileSpec } from "../profiles/spec.js";
import { ReadingFinding, type Finding } from "./findings.js";

/** One metric's running statistics, as its device's reading state keeps them. */
export interface MetricStats {
  readonly name: string;
  /** Samples in the drift statistics (0 while the profile has no `drift`). */
  readonly n: number;
  /** Exponentially weighted mean and variance (0 while the profile has no `drift`). */
  readonly mean: number;
  readonly variance: number;
  /** The metric's last accepted value, the reading time (ms) it came with, and how many readings in a row carried it. */
  readonly last: number;
  readonly lastTs: number;
  readonly repeats: number;
}

/** What the readings contract remembers of a device between readings. */
export interface DeviceReadingState {
  /** Accepted readings. */
  readonly count: number;
  /** Sequence number and time (ms) of the last accepted reading (0 while count is 0). */
  readonly lastSeq: number;
  readonly lastTs: number;
  /** Sorted by name: the metrics of the profile that have had a value. */
  readonly metrics: readonly MetricStats[];
}

export const EMPTY_READING_STATE: DeviceReadingState = { count: 0, lastSeq: 0, lastTs: 0, metrics: [] };

/** A reading's values: `[name, value]` sorted by name, names unique. */
export type ReadingValues = ReadonlyArray<readonly [string, number]>;

export interface ReadingInput {
  /** Reading time in ms. */
  readonly ts: number;
  readonly values: ReadingValues;
  /** Encoded size of `values` (see `encodedValuesSize`). */
  readonly payloadBytes: number;
}

/** Why a reading is impossible under the profile. */
export type HardReason = "UNKNOWN_METRIC" | "NOT_FINITE" | "MISSING_REQUIRED" | "BELOW_HARD_MIN" | "ABOVE_HARD_MAX";

/** The first impossible value of a rejected reading, in metric-name order (for error details). */
export interface HardViolation {
  readonly reason: HardReason;
  readonly metric: string;
  /** The value (NaN for a missing metric) and the hard bound it crossed (NaN when none applies). */
  readonly value: number;
  readonly bound: number;
}

export interface Evaluation {
  /** TxErrorCode.HARD_VIOLATION when the reading is rejected, else null. */
  readonly hard: typeof TxErrorCode.HARD_VIOLATION | null;
  readonly violation: HardViolation | null;
  /**
   * Soft findings, sorted by (metric, code): whole-reading findings (metric "") first, then
   * each metric in name order. Empty when the reading is rejected.
   */
  readonly findings: Finding[];
  /** The device's state after the reading (`prior` itself when rejected); `lastSeq` is the caller's to set. */
  readonly next: DeviceReadingState;
}

function rejected(prior: DeviceReadingState, reason: HardReason, metric: string, value: number, bound: number): Evaluation {
  return { hard: TxErrorCode.HARD_VIOLATION, violation: { reason, metric, value, bound }, findings: [], next: prior };
}

/** The first hard violation in name order, or null: unknown metric, non-finite value, missing required metric, outside hardMin/hardMax. */
function hardCheck(spec: ProfileSpec, prior: DeviceReadingState, values: ReadingValues): Evaluation | null {
  const metrics = spec.metrics;
  let i = 0;
  for (let m = 0; m < metrics.length; m++) {
    const [name, ms] = metrics[m] as (typeof metrics)[number];
    const entry = values[i];
    if (entry !== undefined && entry[0] < name) return rejected(prior, "UNKNOWN_METRIC", entry[0], entry[1], Number.NaN);
    if (entry === undefined || entry[0] !== name) {
      if (ms.required) return rejected(prior, "MISSING_REQUIRED", name, Number.NaN, Number.NaN);
      continue;
    }
    i++;
    const x = entry[1];
    if (!Number.isFinite(x)) return rejected(prior, "NOT_FINITE", name, x, Number.NaN);
    if (ms.hardMin !== undefined && x < ms.hardMin) return rejected(prior, "BELOW_HARD_MIN", name, x, ms.hardMin);
    if (ms.hardMax !== undefined && x > ms.hardMax) return rejected(prior, "ABOVE_HARD_MAX", name, x, ms.hardMax);
  }
  const extra = values[i];
  return extra === undefined ? null : rejected(prior, "UNKNOWN_METRIC", extra[0], extra[1], Number.NaN);
}

/**
 * Checks a reading against `spec` given the device's `prior` state. Hard violations reject
 * the reading and leave the state as it was; soft findings flag it:
 * OUT_OF_RANGE (outside min/max), RATE_OF_CHANGE (|Δvalue|/Δt in s above maxDeltaPerSecond,
 * against the metric's previous value), TOO_FREQUENT (less than interval.minSeconds since the
 * last reading), PAYLOAD_TOO_LARGE, STUCK_VALUE (the identical value `stuck.repeats` times in
 * a row, and every further repeat), DRIFT (once `warmup` samples are in, |x − mean| above
 * zScore·sqrt(var), with mean' = mean + w·(x − mean), var' = (1 − w)·(var + w·(x − mean)²),
 * started at mean = first value, var = 0). The caller has checked that `ts` does not go back.
 */
export function evaluateReading(spec: ProfileSpec, prior: DeviceReadingState, reading: ReadingInput): Evaluation {
  const { ts, values } = reading;
  const hard = hardCheck(spec, prior, values);
  if (hard !== null) return hard;

  const findings: Finding[] = [];
  if (spec.maxPayloadBytes !== undefined && reading.payloadBytes > spec.maxPayloadBytes) {
    findings.push({ code: ReadingFinding.PAYLOAD_TOO_LARGE, metric: "", value: reading.payloadBytes, bound: spec.maxPayloadBytes });
  }
  const minSeconds = spec.interval?.minSeconds;
  if (prior.count > 0 && minSeconds !== undefined && ts - prior.lastTs < minSeconds * 1000) {
    findings.push({ code: ReadingFinding.TOO_FREQUENT, metric: "", value: (ts - prior.lastTs) / 1000, bound: minSeconds });
  }

  const drift = spec.drift;
  const stuckRepeats = spec.stuck?.repeats;
  const metrics = spec.metrics;
  const before = prior.metrics;
  const next: MetricStats[] = [];
  let i = 0;
  let j = 0;
  for (let m = 0; m < metrics.length; m++) {
    const [name, ms] = metrics[m] as (typeof metrics)[number];
    // Stats of metrics the profile no longer has are dropped.
    while (j < before.length && (before[j] as MetricStats).name < name) j++;
    const old = before[j] !== undefined && (before[j] as MetricStats).name === name ? (before[j] as MetricStats) : undefined;
    const entry = values[i];
    if (entry === undefined || entry[0] !== name) {
      if (old !== undefined) next.push(old);
      continue;
    }
    i++;
    const x = entry[1];

    let n = 0;
    let mean = 0;
    let variance = 0;
    if (drift !== undefined) {
      if (old === undefined || old.n === 0) {
        n = 1;
        mean = x;
      } else {
        const d = x - old.mean;
        if (old.n >= drift.warmup) {
          const spread = drift.zScore * Math.sqrt(old.variance);
          if (Math.abs(d) > spread) {
            findings.push({ code: ReadingFinding.DRIFT, metric: name, value: x, bound: d > 0 ? old.mean + spread : old.mean - spread });
          }
        }
        n = old.n + 1;
        mean = old.mean + drift.weight * d;
        variance = (1 - drift.weight) * (old.variance + drift.weight * d * d);
      }
    }

    if (ms.min !== undefined && x < ms.min) findings.push({ code: ReadingFinding.OUT_OF_RANGE, metric: name, value: x, bound: ms.min });
    else if (ms.max !== undefined && x > ms.max) findings.push({ code: ReadingFinding.OUT_OF_RANGE, metric: name, value: x, bound: ms.max });

    if (old !== undefined && ms.maxDeltaPerSecond !== undefined) {
      const delta = x - old.last;
      const allowed = (ms.maxDeltaPerSecond * (ts - old.lastTs)) / 1000;
      if (Math.abs(delta) > allowed) {
        findings.push({ code: ReadingFinding.RATE_OF_CHANGE, metric: name, value: x, bound: delta > 0 ? old.last + allowed : old.last - allowed });
      }
    }

    const repeats = old !== undefined && x === old.last ? old.repeats + 1 : 1;
    if (stuckRepeats !== undefined && repeats >= stuckRepeats) {
      findings.push({ code: ReadingFinding.STUCK_VALUE, metric: name, value: x, bound: stuckRepeats });
    }

    next.push({ name, n, mean, variance, last: x, lastTs: ts, repeats });
  }
  return { hard: null, violation: null, findings, next: { count: prior.count + 1, lastSeq: prior.lastSeq, lastTs: ts, metrics: next } };
}

// Sizes of msgpack headers as the canonical codec (msgpackr) writes them.
function stringSize(s: string): number {
  const n = Buffer.byteLength(s, "utf8");
  return n + (n < 0x20 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5);
}

function numberSize(x: number): number {
  if (x >>> 0 === x) return x < 0x80 ? 1 : x < 0x100 ? 2 : x < 0x10000 ? 3 : 5;
  if (x >> 0 === x) return x >= -0x20 ? 1 : x >= -0x80 ? 2 : x >= -0x8000 ? 3 : 5;
  return 9;
}

function arrayHeaderSize(length: number): number {
  return length < 0x10 ? 1 : length < 0x10000 ? 3 : 5;
}

/** The canonical encoded size of a reading's values, computed without encoding them (equal to `encode(values).length`). */
export function encodedValuesSize(values: ReadingValues): number {
  let size = arrayHeaderSize(values.length);
  for (let k = 0; k < values.length; k++) {
    const [name, x] = values[k] as readonly [string, number];
    size += 1 + stringSize(name) + numberSize(x);
  }
  return size;
}

/** The canonical tuple of a device's reading state: `[count, lastSeq, lastTs, [[name, n, mean, variance, last, lastTs, repeats], ...]]`. */
export function readingStateTuple(s: DeviceReadingState): Encodable[] {
  const metrics: Encodable[] = new Array(s.metrics.length);
  for (let k = 0; k < s.metrics.length; k++) {
    const m = s.metrics[k] as MetricStats;
    metrics[k] = [m.name, m.n, m.mean, m.variance, m.last, m.lastTs, m.repeats];
  }
  return [s.count, s.lastSeq, s.lastTs, metrics];
}

function number(value: Encodable, field: string): number {
  if (typeof value !== "number") {
    throw new AttestaError(CodecErrorCode.MALFORMED, `readingState.${field}: expected a number`, { field: `readingState.${field}` });
  }
  return value;
}

/** Reads the tuple of `readingStateTuple` (throws MALFORMED on any other shape). */
export function readReadingStateTuple(value: Encodable): DeviceReadingState {
  const r = new TupleReader(value, "readingState", 4);
  const count = r.uint("count");
  const lastSeq = r.uint("lastSeq");
  const lastTs = r.uint("lastTs");
  const items = r.list("metrics");
  const metrics: MetricStats[] = new Array(items.length);
  for (let k = 0; k < items.length; k++) {
    const m = new TupleReader(items[k] as Encodable, "metricStats", 7);
    const name = m.string("name");
    const n = m.uint("n");
    const mean = number(m.any(), "mean");
    const variance = number(m.any(), "variance");
    const last = number(m.any(), "last");
    metrics[k] = { name, n, mean, variance, last, lastTs: m.uint("lastTs"), repeats: m.uint("repeats") };
  }
  return { count, lastSeq, lastTs, metrics };
}
