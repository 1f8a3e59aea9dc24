import { AttestaError } from "../../../errors.js";
import { CodecErrorCode, type Encodable } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { TxErrorCode } from "../../../ledger/txErrors.js";
import { ExecErrorCode } from "../../errors.js";
import type { ChainEvent } from "../../../ledger/receipt.js";
import { defineMethod, type BlockEnv, type ContractModule } from "../../runtime.js";
import { StateOverlay, type StateView } from "../../state.js";
import { deviceSigner } from "../devices/signer.js";
import { deviceIdOfAddress, isDeviceId, readDevice } from "../devices/state.js";
import { encodedValuesSize, evaluateReading, type ReadingValues } from "./evaluate.js";
import { READING_EVENT, ReadingRejection, type Finding } from "./findings.js";
import type { ProfileVersion } from "../profiles/spec.js";
import { ReadingRun, type DeviceEntry, type ReadingContext } from "./run.js";

/**
 * Most readings in one `readings.batch`. A constant for now: it belongs in the genesis
 * parameters (ChainParams) once those carry module settings.
 */
export const MAX_BATCH_READINGS = 500;
/** How far (ms) a reading's `ts` may be ahead of its block's timestamp. */
export const MAX_READING_SKEW_MS = 60_000;
/** Most values in one reading, and the longest metric name. */
export const MAX_READING_VALUES = 64;
export const MAX_METRIC_NAME_LENGTH = 64;

/** One reading: `[deviceId, seq, ts, values]` on the wire. */
export interface ReadingArgs {
  readonly deviceId: string;
  readonly seq: number;
  /** Reading time in ms. */
  readonly ts: number;
  /** `[name, value]` sorted by name, names unique. */
  readonly values: ReadingValues;
}

export interface BatchArgs {
  readonly readings: readonly ReadingArgs[];
}

function malformed(field: string, expected: string): never {
  throw new AttestaError(CodecErrorCode.MALFORMED, `${field}: expected ${expected}`, { field });
}

/** The values list as decoded (no copy): pairs of a 1-64 character name and a number, names strictly increasing. */
function decodeValues(list: readonly Encodable[], field: string): ReadingValues {
  let previous = "";
  for (let k = 0; k < list.length; k++) {
    const pair = list[k];
    if (!Array.isArray(pair) || pair.length !== 2) malformed(field, "[name, value] pairs");
    const [name, value] = pair as readonly Encodable[];
    if (typeof name !== "string" || name.length === 0 || name.length > MAX_METRIC_NAME_LENGTH) malformed(field, `metric names of 1-${MAX_METRIC_NAME_LENGTH} characters`);
    if (typeof value !== "number") malformed(field, "numeric values");
    if (k > 0 && !(previous < name)) malformed(field, "values sorted by name, names unique");
    previous = name;
  }
  return list as unknown as ReadingValues;
}

function decodeReading(item: Encodable, what: string): ReadingArgs {
  const r = new TupleReader(item, what, 4);
  const deviceId = r.string("deviceId", 64);
  if (!isDeviceId(deviceId)) malformed(`${what}.deviceId`, "a device id");
  const seq = r.uint("seq");
  const ts = r.uint("ts");
  const values = decodeValues(r.list("values", MAX_READING_VALUES), `${what}.values`);
  return { deviceId, seq, ts, values };
}

const findingTuple = (f: Finding): Encodable => [f.code, f.metric, f.value, f.bound];

function emitReading(ctx: ReadingContext, a: ReadingArgs, code: string, profile: string, version: number, findings: readonly Finding[]): string {
  ctx.emit(READING_EVENT, [
    ["device", a.deviceId],
    ["seq", a.seq],
    ["ts", a.ts],
    ["status", code === "" ? "ok" : "failed"],
    ["code", code],
    ["profile", profile],
    ["version", version],
    ["values", a.values],
    ["findings", findings.map(findingTuple)],
  ]);
  return code;
}

/**
 * Executes one reading and emits its `reading` event; returns "" when accepted, else the
 * rejection code (a rejected reading changes nothing). `bridge` is the relaying bridge's id
 * for batch readings. Checks, in order: device known, bound to the bridge, not revoked, not
 * suspended, a profile version in force, seq, ts, then the profile's checks.
 */
function applyReading(run: ReadingRun, a: ReadingArgs, bridge: string | null): string {
  const { ctx } = run;
  const entry = run.device(a.deviceId);
  if (entry === undefined) return emitReading(ctx, a, TxErrorCode.DEVICE_UNKNOWN, "", 0, []);
  const device = entry.device;
  if (bridge !== null && device.bridge !== bridge) return emitReading(ctx, a, TxErrorCode.NOT_BOUND_TO_BRIDGE, device.profileId, 0, []);
  const profile = run.profile(device.profileId);
  const version = profile?.version ?? 0;
  const code = refusal(run, entry, a, profile);
  if (code !== undefined) return emitReading(ctx, a, code, device.profileId, version, []);
  const spec = (profile as ProfileVersion).spec;
  const prior = run.readings(entry);
  const outcome = evaluateReading(spec, prior, { ts: a.ts, values: a.values, payloadBytes: encodedValuesSize(a.values) });
  if (outcome.hard !== null) return emitReading(ctx, a, outcome.hard, device.profileId, version, []);

  const flagged = outcome.findings.length > 0;
  const policy = spec.policy?.suspendAfter;
  const window = flagged && policy !== undefined ? pushAnomaly(device.anomalyWindow, a.ts, policy.windowSeconds * 1000, policy.anomalies) : device.anomalyWindow;
  const c = device.counters;
  entry.readings = { ...outcome.next, lastSeq: a.seq };
  entry.device = { ...device, anomalyWindow: window, counters: { ...c, readings: c.readings + 1, anomalies: flagged ? c.anomalies + 1 : c.anomalies } };
  entry.dirty = true;
  run.count(device.owner, flagged);
  emitReading(ctx, a, "", device.profileId, version, outcome.findings);
  if (flagged && policy !== undefined && window.length >= policy.anomalies) {
    run.suspend(entry, `anomaly policy: ${window.length} flagged readings within ${policy.windowSeconds} s`);
  }
  return "";
}

/** Why a known device's reading is refused before the profile's checks (undefined: it is not), in the order applyReading lists. */
function refusal(run: ReadingRun, entry: DeviceEntry, a: ReadingArgs, profile: ProfileVersion | undefined): string | undefined {
  const status = entry.device.status;
  if (status === "revoked") return TxErrorCode.DEVICE_REVOKED;
  if (status === "suspended") return TxErrorCode.DEVICE_SUSPENDED;
  if (profile === undefined) return ReadingRejection.PROFILE_NOT_IN_FORCE;
  const prior = run.readings(entry);
  if (prior.count > 0 && a.seq <= prior.lastSeq) return TxErrorCode.SEQ_REPLAY;
  if (prior.count > 0 && a.ts < prior.lastTs) return ReadingRejection.TS_OUT_OF_ORDER;
  if (a.ts > run.ctx.env.timestamp + MAX_READING_SKEW_MS) return ReadingRejection.TS_IN_FUTURE;
  return undefined;
}

/**
 * The anomaly window after a flagged reading at `ts`: the earlier entries at most `windowMs`
 * older than it (reading times never go back, so the window stays oldest first), then `ts`;
 * at most `limit` entries (the policy suspends at `limit`).
 */
export function pushAnomaly(window: readonly number[], ts: number, windowMs: number, limit: number): number[] {
  let start = 0;
  while (start < window.length && (window[start] as number) < ts - windowMs) start++;
  start = Math.max(start, window.length - Math.max(limit - 1, 0));
  const next = window.slice(start);
  next.push(ts);
  return next;
}

/**
 * One reading checked as `readings.submit` would check it, outside any transaction (no
 * signature, no fee, no nonce): over a throwaway overlay of `state`, at `env`. Returns its
 * `reading` event (status, code, findings), for a bridge asking "would this pass?".
 */
export function inspectReading(state: StateView, env: BlockEnv, a: ReadingArgs): ChainEvent {
  const events: ChainEvent[] = [];
  const run = new ReadingRun({ state: new StateOverlay(state), env, emit: (type, attributes) => events.push({ type, attributes }) });
  applyReading(run, a, null);
  const event = events.find((e) => e.type === READING_EVENT);
  if (event === undefined) throw new RangeError("applyReading emitted no reading event");
  return event;
}

const submit = defineMethod<ReadingArgs>({
  decodeArgs: (args) => decodeReading(args, "args"),
  authorise(state, sender, args) {
    const signer = deviceIdOfAddress(state, sender);
    if (signer !== args.deviceId) throw new AttestaError(ExecErrorCode.UNAUTHORISED, "a device submits only its own readings", { deviceId: args.deviceId });
  },
  execute(ctx, args) {
    const run = new ReadingRun(ctx);
    const code = applyReading(run, args, null);
    if (code !== "") throw new AttestaError(code, "reading rejected", { deviceId: args.deviceId, seq: args.seq });
    run.flush();
  },
  signer: deviceSigner,
});

const batch = defineMethod<BatchArgs>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 1);
    const list = r.list("readings", MAX_BATCH_READINGS);
    if (list.length === 0) malformed("args.readings", `1-${MAX_BATCH_READINGS} readings`);
    const readings: ReadingArgs[] = new Array(list.length);
    for (let k = 0; k < list.length; k++) readings[k] = decodeReading(list[k] as Encodable, "reading");
    return { readings };
  },
  execute(ctx, { readings }) {
    const bridgeId = deviceIdOfAddress(ctx.state, ctx.sender);
    const bridge = bridgeId === undefined ? undefined : readDevice(ctx.state, bridgeId);
    if (bridge === undefined || bridge.kind !== "bridge") throw new AttestaError(ExecErrorCode.UNAUTHORISED, "only a bridge relays readings");
    if (bridge.status !== "active") throw new AttestaError(TxErrorCode.DEVICE_SUSPENDED, "the bridge is suspended", { bridge: bridge.id });
    const run = new ReadingRun(ctx);
    for (const reading of readings) applyReading(run, reading, bridge.id);
    run.flush();
  },
  signer: deviceSigner,
});

export const readingsModule: ContractModule = { name: "readings", methods: { submit, batch } };
