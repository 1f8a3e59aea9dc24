import { ADDRESS_LENGTH, addressOf } from "../../../crypto/address.js";
import { utf8 } from "../../../crypto/bytes.js";
import { keyTypeCode, keyTypeFromCode, PUBLIC_KEY_LENGTH } from "../../../crypto/keyTypes.js";
import { CodecErrorCode, decodeTrusted, encode } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { AttestaError } from "../../../errors.js";
import { ModuleId, nameKey, stateKey } from "../../moduleIds.js";
import type { CallContext } from "../../runtime.js";
import { readState, StateCodec, type StateOverlay, type StateView } from "../../state.js";
import { countersTuple, readCounters } from "../accounts.js";
import { DeviceErrorCode } from "./errors.js";
import type { DeviceKind, DeviceRecord, DeviceStatus } from "./types.js";

// State layout of the devices module (first byte ModuleId.DEVICES, then one of these; stable):
//   RECORD  + utf8(id)        -> the device record tuple (never deleted: ids are never reused)
//   KEY     + address(20)     -> [deviceId, retired]: every key a device ever had (keys are never reused)
//   BOUND   + utf8(bridge id) -> [count]: devices bound to a bridge (absent when none)
const Part = { RECORD: 0x01, KEY: 0x02, BOUND: 0x03 } as const;

/** Wire codes of kinds and statuses: stable, never reorder. */
const KINDS: readonly DeviceKind[] = ["sensor", "bridge"];
const STATUSES: readonly DeviceStatus[] = ["active", "suspended", "revoked"];

/** Device (and bridge) ids: 1-64 characters of [a-z0-9._:-]. */
export const DEVICE_ID_RE = /^[a-z0-9._:-]{1,64}$/;
export const MAX_DEVICE_ID_LENGTH = 64;

export function isDeviceId(value: unknown): value is string {
  return typeof value === "string" && DEVICE_ID_RE.test(value);
}

const RECORD_PREFIX = [Part.RECORD];
const recordKey = (id: string): Uint8Array => nameKey(ModuleId.DEVICES, RECORD_PREFIX, id);
function keyIndexKey(address: Uint8Array): Uint8Array {
  const key = new Uint8Array(2 + address.length);
  key[0] = ModuleId.DEVICES;
  key[1] = Part.KEY;
  key.set(address, 2);
  return key;
}
const boundKey = (bridge: string): Uint8Array => stateKey(ModuleId.DEVICES, Uint8Array.of(Part.BOUND), utf8(bridge));

function corrupt(what: string): never {
  throw new AttestaError(CodecErrorCode.MALFORMED, `stored device ${what} is invalid`, { field: `device.${what}` });
}

const RECORD_FIELDS = 17;

export function deviceTuple(d: DeviceRecord): Uint8Array {
  return encode([
    d.id,
    keyTypeCode(d.keyType),
    d.publicKey,
    d.owner,
    KINDS.indexOf(d.kind),
    d.profileId,
    d.bridge,
    d.zone,
    d.meta,
    STATUSES.indexOf(d.status),
    d.nonce,
    d.registeredAt,
    [...d.anomalyWindow],
    ...countersTuple(d.counters),
  ]);
}

function readNullableString(r: TupleReader, field: string, maxLength: number): string | null {
  return r.optional(field, (v) => (typeof v === "string" && v.length <= maxLength ? v : corrupt(field)));
}

export function decodeDevice(bytes: Uint8Array): DeviceRecord {
  const r = new TupleReader(decodeTrusted(bytes), "device", RECORD_FIELDS);
  const id = r.string("id", MAX_DEVICE_ID_LENGTH);
  const keyType = keyTypeFromCode(r.uint("keyType")) ?? corrupt("keyType");
  const publicKey = r.bytes("publicKey", PUBLIC_KEY_LENGTH[keyType]);
  const owner = r.bytes("owner", ADDRESS_LENGTH);
  const kind = KINDS[r.uint("kind")] ?? corrupt("kind");
  const profileId = r.string("profileId", MAX_DEVICE_ID_LENGTH);
  const bridge = readNullableString(r, "bridge", MAX_DEVICE_ID_LENGTH);
  const zone = readNullableString(r, "zone", 256);
  const meta = readNullableString(r, "meta", 256);
  const status = STATUSES[r.uint("status")] ?? corrupt("status");
  const nonce = r.uint("nonce");
  const registeredAt = r.uint("registeredAt");
  const anomalyWindow = r.list("anomalyWindow").map((v) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : corrupt("anomalyWindow")));
  const counters = readCounters(r);
  return { id, keyType, publicKey, owner, kind, profileId, bridge, zone, meta, status, nonce, registeredAt, anomalyWindow, counters };
}

/** Device records: decoded once per stored byte array, encoded only when their bytes are needed. */
const DEVICE = new StateCodec<DeviceRecord>(deviceTuple, decodeDevice);

export function readDevice(state: StateView, id: string): DeviceRecord | undefined {
  return readState(state, recordKey(id), DEVICE);
}

/** Writes a device record (the key index is kept by register and rotateKey, not here). */
export function writeDevice(state: StateOverlay, record: DeviceRecord): void {
  state.put(recordKey(record.id), record, DEVICE);
}

/** What the key index knows of an address: the device whose key it is, and whether that key was rotated out. */
export interface KeyUse {
  readonly deviceId: string;
  readonly retired: boolean;
}

const KEY_USE = new StateCodec<KeyUse>(
  (use) => encode([use.deviceId, use.retired]),
  (bytes) => {
    const r = new TupleReader(decodeTrusted(bytes), "deviceKey", 2);
    return { deviceId: r.string("deviceId", MAX_DEVICE_ID_LENGTH), retired: r.bool("retired") };
  },
);

export function keyUse(state: StateView, address: Uint8Array): KeyUse | undefined {
  return readState(state, keyIndexKey(address), KEY_USE);
}

export function writeKeyUse(state: StateOverlay, publicKey: Uint8Array, use: KeyUse): void {
  state.put(keyIndexKey(addressOf(publicKey)), { deviceId: use.deviceId, retired: use.retired }, KEY_USE);
}

/** The device whose current key has this address (revoked devices included; rotated-out keys excluded). */
export function deviceIdOfAddress(state: StateView, address: Uint8Array): string | undefined {
  const use = keyUse(state, address);
  return use === undefined || use.retired ? undefined : use.deviceId;
}

/** How many devices are bound to `bridge`. */
export function boundCount(state: StateView, bridge: string): number {
  const bytes = state.get(boundKey(bridge));
  return bytes === undefined ? 0 : new TupleReader(decodeTrusted(bytes), "bound", 1).uint("count");
}

export function addBound(state: StateOverlay, bridge: string, delta: 1 | -1): void {
  const count = boundCount(state, bridge) + delta;
  if (count < 0) throw new RangeError(`bound count of ${bridge} below zero`);
  if (count === 0) state.delete(boundKey(bridge));
  else state.set(boundKey(bridge), encode([count]));
}

/**
 * Suspends an active device and emits `device.suspended` (by: null, the profile's policy).
 * Reads the device from `ctx.state`: write your own changes to the record first. A device
 * that is not active is left as it is.
 */
export function suspendDevice(ctx: Pick<CallContext, "state" | "emit">, id: string, reason: string): void {
  const record = readDevice(ctx.state, id);
  if (record === undefined) throw new AttestaError(DeviceErrorCode.DEVICE_UNKNOWN, "no such device", { id });
  if (record.status !== "active") return;
  writeDevice(ctx.state, { ...record, status: "suspended" });
  ctx.emit("device.suspended", [
    ["device", id],
    ["reason", reason],
    ["by", null],
  ]);
}
