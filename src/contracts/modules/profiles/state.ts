import { BoundedCache } from "../../../boundedCache.js";
import { AttestaError } from "../../../errors.js";
import { CodecErrorCode, decodeTrusted, encode, type Encodable } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { ModuleId, nameKey } from "../../moduleIds.js";
import { readState, StateCodec, type StateOverlay, type StateView } from "../../state.js";
import type { MetricSpec, ProfileSpec, ProfileVersion } from "./spec.js";
import { opt } from "./validate.js";

// State layout of the profiles module (first byte ModuleId.PROFILES, then one of these; stable):
//   HEAD    + utf8(id)               -> [latest version]
//   VERSION + u32be(version) + utf8(id) -> [publishedAt, spec tuple]
const Part = { HEAD: 0x01, VERSION: 0x02 } as const;

/** Profile ids: 1-64 characters of [a-z0-9._:-], like device ids. */
export const PROFILE_ID_RE = /^[a-z0-9._:-]{1,64}$/;

const HEAD_PREFIX = [Part.HEAD];
const headKey = (id: string): Uint8Array => nameKey(ModuleId.PROFILES, HEAD_PREFIX, id);

/** `VERSION ‖ u32be(version) ‖ utf8(id)` under the module's byte (version checked to fit by the callers). */
function versionKey(id: string, version: number): Uint8Array {
  return nameKey(ModuleId.PROFILES, [Part.VERSION, (version >>> 24) & 0xff, (version >>> 16) & 0xff, (version >>> 8) & 0xff, version & 0xff], id);
}

const orNull = (n: number | undefined): number | null => (n === undefined ? null : n);

/** The canonical tuple of a spec: every optional field in place, null when absent. */
export function specTuple(spec: ProfileSpec): Encodable[] {
  const { interval, stuck, drift, policy } = spec;
  const suspendAfter = policy?.suspendAfter;
  return [
    spec.metrics.map(([name, m]) => [name, m.unit, orNull(m.min), orNull(m.max), orNull(m.hardMin), orNull(m.hardMax), orNull(m.maxDeltaPerSecond), m.required]),
    interval === undefined ? null : [orNull(interval.minSeconds), orNull(interval.maxSeconds)],
    orNull(spec.maxPayloadBytes),
    stuck === undefined ? null : [stuck.repeats],
    drift === undefined ? null : [drift.weight, drift.zScore, drift.warmup],
    policy === undefined ? null : [suspendAfter === undefined ? null : [suspendAfter.anomalies, suspendAfter.windowSeconds]],
  ];
}

function number(r: TupleReader, field: string): number {
  const v = r.any();
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new AttestaError(CodecErrorCode.MALFORMED, `profile spec ${field}: expected a finite number`, { field: `spec.${field}` });
  }
  return v;
}

function optionalNumber(r: TupleReader, field: string): number | undefined {
  return r.optional(field, (v) => number(new TupleReader([v], "spec", 1), field)) ?? undefined;
}

function readMetric(value: Encodable): readonly [string, MetricSpec] {
  const r = new TupleReader(value, "metric", 8);
  const name = r.string("name", 32);
  const unit = r.string("unit", 64);
  const min = optionalNumber(r, "min");
  const max = optionalNumber(r, "max");
  const hardMin = optionalNumber(r, "hardMin");
  const hardMax = optionalNumber(r, "hardMax");
  const maxDeltaPerSecond = optionalNumber(r, "maxDeltaPerSecond");
  const required = r.bool("required");
  return [name, { unit, ...opt("min", min), ...opt("max", max), ...opt("hardMin", hardMin), ...opt("hardMax", hardMax), ...opt("maxDeltaPerSecond", maxDeltaPerSecond), required }];
}

/** Reads a spec tuple written by `specTuple`. */
export function readSpec(value: Encodable): ProfileSpec {
  const r = new TupleReader(value, "spec", 6);
  const metrics = r.list("metrics").map(readMetric);
  const interval = r.optional("interval", (v) => {
    const i = new TupleReader(v, "interval", 2);
    const minSeconds = optionalNumber(i, "interval.minSeconds");
    const maxSeconds = optionalNumber(i, "interval.maxSeconds");
    return { ...opt("minSeconds", minSeconds), ...opt("maxSeconds", maxSeconds) };
  });
  const maxPayloadBytes = r.optional("maxPayloadBytes", (v) => new TupleReader([v], "spec", 1).uint("maxPayloadBytes"));
  const stuck = r.optional("stuck", (v) => ({ repeats: new TupleReader(v, "stuck", 1).uint("repeats") }));
  const drift = r.optional("drift", (v) => {
    const d = new TupleReader(v, "drift", 3);
    return { weight: number(d, "drift.weight"), zScore: number(d, "drift.zScore"), warmup: d.uint("warmup") };
  });
  const policy = r.optional("policy", (v) => {
    const suspendAfter = new TupleReader(v, "policy", 1).optional("suspendAfter", (s) => {
      const a = new TupleReader(s, "suspendAfter", 2);
      return { anomalies: a.uint("anomalies"), windowSeconds: number(a, "policy.suspendAfter.windowSeconds") };
    });
    return opt("suspendAfter", suspendAfter ?? undefined);
  });
  return {
    metrics,
    ...opt("interval", interval ?? undefined),
    ...opt("maxPayloadBytes", maxPayloadBytes ?? undefined),
    ...opt("stuck", stuck ?? undefined),
    ...opt("drift", drift ?? undefined),
    ...opt("policy", policy ?? undefined),
  };
}

/** A profile's head: its latest version (written raw by writeNextVersion; read through this). */
const HEAD = new StateCodec<number>(
  (latest) => encode([latest]),
  (bytes) => new TupleReader(decodeTrusted(bytes), "profileHead", 1).uint("latest"),
);

/** The newest version number of a profile (0 when it was never published). */
export function latestVersion(state: StateView, id: string): number {
  return readState(state, headKey(id), HEAD) ?? 0;
}

// Decoded versions by their stored bytes: every reading looks up its device's profile, and
// decoding a spec costs about 20 µs (a pure function of the bytes, so the memo is safe).
const decoded = new BoundedCache<string, { readonly publishedAt: number; readonly spec: ProfileSpec }>(1024);

/** Frozen all the way down, so a consumer that mutates a shared spec fails loudly. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function decodeVersion(bytes: Uint8Array): { readonly publishedAt: number; readonly spec: ProfileSpec } {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  let value = decoded.get(key);
  if (value === undefined) {
    const r = new TupleReader(decodeTrusted(bytes), "profile", 2);
    value = deepFreeze({ publishedAt: r.uint("publishedAt"), spec: readSpec(r.any()) });
    decoded.set(key, value);
  }
  return value;
}

/** Versions (written raw by writeNextVersion; read through this): decoded once per byte array, then by content. */
const VERSION = new StateCodec<{ readonly publishedAt: number; readonly spec: ProfileSpec }>((v) => encode([v.publishedAt, specTuple(v.spec)]), decodeVersion);

/** A version of a profile; the newest when `version` is absent. Specs are shared: never mutate one. */
export function readProfile(state: StateView, id: string, version?: number): ProfileVersion | undefined {
  const v = version ?? latestVersion(state, id);
  if (!Number.isSafeInteger(v) || v < 1 || v > 0xffffffff) return undefined;
  const stored = readState(state, versionKey(id, v), VERSION);
  if (stored === undefined) return undefined;
  return { id, version: v, spec: stored.spec, publishedAt: stored.publishedAt };
}

/** The version a device follows at `height`: the newest published before that block. */
export function profileInForce(state: StateView, id: string, height: number): ProfileVersion | undefined {
  for (let v = latestVersion(state, id); v >= 1; v--) {
    const profile = readProfile(state, id, v);
    if (profile !== undefined && profile.publishedAt < height) return profile;
  }
  return undefined;
}

/** Stores `spec` as the next version of `id` (version 1 for a new profile), published at `height`. */
export function writeNextVersion(state: StateOverlay, id: string, spec: ProfileSpec, height: number): ProfileVersion {
  const version = latestVersion(state, id) + 1;
  state.set(versionKey(id, version), encode([height, specTuple(spec)]));
  state.set(headKey(id), encode([version]));
  return { id, version, spec, publishedAt: height };
}
