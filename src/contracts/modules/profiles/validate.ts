import { utf8 } from "../../../crypto/bytes.js";
import { AttestaError } from "../../../errors.js";
import { TxErrorCode } from "../../../ledger/txErrors.js";
import { ExecErrorCode } from "../../errors.js";
import type { MetricSpec, ProfileSpec } from "./spec.js";

/** Why a profiles method fails (its receipt's code). Stable: never rename one. */
export const ProfileErrorCode = {
  UNAUTHORISED: ExecErrorCode.UNAUTHORISED,
  /** The spec does not parse or breaks a rule; `details.field` names the field. */
  PROFILE_INVALID: "PROFILE_INVALID",
  PROFILE_UNKNOWN: "PROFILE_UNKNOWN",
  DEVICE_UNKNOWN: TxErrorCode.DEVICE_UNKNOWN,
  DEVICE_REVOKED: TxErrorCode.DEVICE_REVOKED,
  NOT_OWNER: "NOT_OWNER",
} as const;
export type ProfileErrorCode = (typeof ProfileErrorCode)[keyof typeof ProfileErrorCode];

/** Largest spec JSON, in UTF-8 bytes. */
export const MAX_SPEC_BYTES = 16 * 1024;
export const MAX_METRICS = 64;
export const MAX_UNIT_LENGTH = 32;
export const METRIC_NAME_RE = /^[a-z0-9_]{1,32}$/;

function invalid(field: string, expected: string): never {
  throw new AttestaError(ProfileErrorCode.PROFILE_INVALID, `profile spec ${field || "document"}: expected ${expected}`, { field });
}

const join = (parent: string, key: string): string => (parent === "" ? key : `${parent}.${key}`);

/** A plain JSON object with no keys outside `allowed` (checked in sorted order, so the error is the same for any key order). */
function object(value: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) invalid(field, "an object");
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) if (!allowed.includes(key)) invalid(join(field, key), "no such field");
  return record;
}

/** A finite number (negative zero read as zero), checked by `ok`. */
function num(value: unknown, field: string, ok: (n: number) => boolean, expected: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) invalid(field, expected);
  return value === 0 ? 0 : value;
}

function optionalNum(value: unknown, field: string, ok: (n: number) => boolean, expected: string): number | undefined {
  return value === undefined ? undefined : num(value, field, ok, expected);
}

const any = (): boolean => true;
const positive = (n: number): boolean => n > 0;
const nonNegative = (n: number): boolean => n >= 0;
const intAtLeast = (min: number) => (n: number): boolean => Number.isSafeInteger(n) && n >= min;

/** Spreads `{ [key]: value }` only when the value is present (the spec's optional fields stay absent). */
export const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const METRIC_FIELDS = ["unit", "min", "max", "hardMin", "hardMax", "maxDeltaPerSecond", "required"] as const;

function metricSpec(value: unknown, field: string): MetricSpec {
  const m = object(value, field, METRIC_FIELDS);
  if (typeof m.unit !== "string" || m.unit.length > MAX_UNIT_LENGTH) invalid(join(field, "unit"), `a string of at most ${MAX_UNIT_LENGTH}`);
  if (m.required !== undefined && typeof m.required !== "boolean") invalid(join(field, "required"), "a boolean");
  const bounds = {
    hardMin: optionalNum(m.hardMin, join(field, "hardMin"), any, "a finite number"),
    min: optionalNum(m.min, join(field, "min"), any, "a finite number"),
    max: optionalNum(m.max, join(field, "max"), any, "a finite number"),
    hardMax: optionalNum(m.hardMax, join(field, "hardMax"), any, "a finite number"),
  };
  // hardMin <= min <= max <= hardMax, among those present.
  let lower: [string, number] | undefined;
  for (const name of ["hardMin", "min", "max", "hardMax"] as const) {
    const v = bounds[name];
    if (v === undefined) continue;
    if (lower !== undefined && v < lower[1]) invalid(join(field, name), `at least ${lower[0]}`);
    lower = [name, v];
  }
  const maxDeltaPerSecond = optionalNum(m.maxDeltaPerSecond, join(field, "maxDeltaPerSecond"), positive, "a number > 0");
  return {
    unit: m.unit,
    ...opt("min", bounds.min),
    ...opt("max", bounds.max),
    ...opt("hardMin", bounds.hardMin),
    ...opt("hardMax", bounds.hardMax),
    ...opt("maxDeltaPerSecond", maxDeltaPerSecond),
    required: m.required === true,
  };
}

/** Validates a spec given as a JavaScript value (the parsed JSON); throws PROFILE_INVALID naming the field. */
export function validateProfileSpec(value: unknown): ProfileSpec {
  const s = object(value, "", ["metrics", "interval", "maxPayloadBytes", "stuck", "drift", "policy"]);
  if (typeof s.metrics !== "object" || s.metrics === null || Array.isArray(s.metrics)) invalid("metrics", "an object of metric specs by name");
  const names = Object.keys(s.metrics).sort();
  if (names.length === 0 || names.length > MAX_METRICS) invalid("metrics", `1 to ${MAX_METRICS} metrics`);
  const metricList = names.map((name): readonly [string, MetricSpec] => {
    if (!METRIC_NAME_RE.test(name)) invalid(join("metrics", name), "a name of 1-32 characters of [a-z0-9_]");
    return [name, metricSpec((s.metrics as Record<string, unknown>)[name], join("metrics", name))];
  });

  let interval: ProfileSpec["interval"];
  if (s.interval !== undefined) {
    const i = object(s.interval, "interval", ["minSeconds", "maxSeconds"]);
    const minSeconds = optionalNum(i.minSeconds, "interval.minSeconds", nonNegative, "a number >= 0");
    const maxSeconds = optionalNum(i.maxSeconds, "interval.maxSeconds", positive, "a number > 0");
    if (minSeconds !== undefined && maxSeconds !== undefined && maxSeconds < minSeconds) invalid("interval.maxSeconds", "at least minSeconds");
    interval = { ...opt("minSeconds", minSeconds), ...opt("maxSeconds", maxSeconds) };
  }
  const maxPayloadBytes = optionalNum(s.maxPayloadBytes, "maxPayloadBytes", intAtLeast(1), "an integer >= 1");
  let stuck: ProfileSpec["stuck"];
  if (s.stuck !== undefined) {
    const st = object(s.stuck, "stuck", ["repeats"]);
    stuck = { repeats: num(st.repeats, "stuck.repeats", intAtLeast(2), "an integer >= 2") };
  }
  let drift: ProfileSpec["drift"];
  if (s.drift !== undefined) {
    const d = object(s.drift, "drift", ["weight", "zScore", "warmup"]);
    drift = {
      weight: num(d.weight, "drift.weight", (n) => n > 0 && n <= 1, "a number in (0, 1]"),
      zScore: num(d.zScore, "drift.zScore", positive, "a number > 0"),
      warmup: num(d.warmup, "drift.warmup", intAtLeast(1), "an integer >= 1"),
    };
  }
  let policy: ProfileSpec["policy"];
  if (s.policy !== undefined) {
    const p = object(s.policy, "policy", ["suspendAfter"]);
    let suspendAfter: { anomalies: number; windowSeconds: number } | undefined;
    if (p.suspendAfter !== undefined) {
      const a = object(p.suspendAfter, "policy.suspendAfter", ["anomalies", "windowSeconds"]);
      suspendAfter = {
        anomalies: num(a.anomalies, "policy.suspendAfter.anomalies", intAtLeast(1), "an integer >= 1"),
        windowSeconds: num(a.windowSeconds, "policy.suspendAfter.windowSeconds", positive, "a number > 0"),
      };
    }
    policy = { ...opt("suspendAfter", suspendAfter) };
  }
  return {
    metrics: metricList,
    ...opt("interval", interval),
    ...opt("maxPayloadBytes", maxPayloadBytes),
    ...opt("stuck", stuck),
    ...opt("drift", drift),
    ...opt("policy", policy),
  };
}

/** Parses and validates spec JSON (at most MAX_SPEC_BYTES); throws PROFILE_INVALID with `details.field`. */
export function parseProfileSpec(json: string): ProfileSpec {
  if (typeof json !== "string" || json.length > MAX_SPEC_BYTES || utf8(json).length > MAX_SPEC_BYTES) {
    invalid("", `JSON text of at most ${MAX_SPEC_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    invalid("", "valid JSON");
  }
  return validateProfileSpec(value);
}

/** A spec as the JSON document `parseProfileSpec` reads (metrics as an object by name). */
export function profileSpecToJson(spec: ProfileSpec): Record<string, unknown> {
  // fromEntries defines own properties, so even a metric named __proto__ stays data.
  const metricsJson = Object.fromEntries(spec.metrics.map(([name, m]) => [name, { ...m }]));
  return {
    metrics: metricsJson,
    ...opt("interval", spec.interval === undefined ? undefined : { ...spec.interval }),
    ...opt("maxPayloadBytes", spec.maxPayloadBytes),
    ...opt("stuck", spec.stuck === undefined ? undefined : { ...spec.stuck }),
    ...opt("drift", spec.drift === undefined ? undefined : { ...spec.drift }),
    ...opt("policy", spec.policy === undefined ? undefined : { ...opt("suspendAfter", spec.policy.suspendAfter === undefined ? undefined : { ...spec.policy.suspendAfter }) }),
  };
}
