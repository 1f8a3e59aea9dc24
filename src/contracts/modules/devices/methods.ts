import { ADDRESS_LENGTH, addressOf } from "../../../crypto/address.js";
import { equalBytes } from "../../../crypto/bytes.js";
import { KEY_TYPES, PUBLIC_KEY_LENGTH, type KeyType } from "../../../crypto/keyTypes.js";
import { AttestaError } from "../../../errors.js";
import { CodecErrorCode } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { defineMethod, type CallContext } from "../../runtime.js";
import type { StateOverlay } from "../../state.js";
import { hasRole } from "../access.js";
import { ZERO_COUNTERS } from "../accounts.js";
import { PROFILE_ID_RE, readProfile } from "../profiles/state.js";
import { DeviceErrorCode } from "./errors.js";
import { addBound, boundCount, DEVICE_ID_RE, keyUse, MAX_DEVICE_ID_LENGTH, readDevice, writeDevice, writeKeyUse } from "./state.js";
import type { DeviceKind, DeviceRecord } from "./types.js";

export const MAX_META_LENGTH = 256;
export const MAX_REASON_LENGTH = 256;
export const MAX_ZONE_LENGTH = 64;
/** Zones name places: 1-64 characters of [a-z0-9._:-], like ids. */
export const ZONE_RE = /^[a-z0-9._:-]{1,64}$/;

function malformed(field: string, expected: string): never {
  throw new AttestaError(CodecErrorCode.MALFORMED, `args.${field}: expected ${expected}`, { field: `args.${field}` });
}

function fail(code: DeviceErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AttestaError(code, message, details);
}

function readId(r: TupleReader, field: string, re = DEVICE_ID_RE): string {
  const v = r.string(field, MAX_DEVICE_ID_LENGTH);
  if (!re.test(v)) malformed(field, "1-64 characters of [a-z0-9._:-]");
  return v;
}

function readNullableId(r: TupleReader, field: string, re = DEVICE_ID_RE): string | null {
  return r.optional(field, (v) => (typeof v === "string" && re.test(v) ? v : malformed(field, "null or 1-64 characters of [a-z0-9._:-]")));
}

function readOneOf<T extends string>(r: TupleReader, field: string, values: readonly T[]): T {
  const v = r.string(field, 16);
  if (!(values as readonly string[]).includes(v)) malformed(field, values.join(" | "));
  return v as T;
}

/** A compressed SEC1 point (0x02/0x03 prefix) for the ECDSA curves, 32 raw bytes for Ed25519. */
function isWellFormedKey(keyType: KeyType, publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH[keyType]) return false;
  return keyType === "ed25519" || publicKey[0] === 0x02 || publicKey[0] === 0x03;
}

function existing(ctx: CallContext, id: string): DeviceRecord {
  const record = readDevice(ctx.state, id);
  if (record === undefined) fail(DeviceErrorCode.DEVICE_UNKNOWN, "no such device", { id });
  return record;
}

/** The device, which the sender owns (or, with `adminMay`, administers), and which is not revoked. */
function managed(ctx: CallContext, id: string, adminMay: boolean): DeviceRecord {
  const record = existing(ctx, id);
  if (!equalBytes(record.owner, ctx.sender) && !(adminMay && hasRole(ctx.state, ctx.sender, "admin"))) {
    fail(DeviceErrorCode.NOT_OWNER, "sender does not own the device", { id });
  }
  if (record.status === "revoked") fail(DeviceErrorCode.DEVICE_REVOKED, "device is revoked", { id });
  return record;
}

/** A bridge `owner` may bind devices to: a registered, active device of kind bridge with the same owner. */
function usableBridge(ctx: CallContext, bridgeId: string, owner: Uint8Array): DeviceRecord {
  const bridge = readDevice(ctx.state, bridgeId);
  if (bridge === undefined) fail(DeviceErrorCode.BRIDGE_UNKNOWN, "no such bridge", { bridge: bridgeId });
  if (bridge.kind !== "bridge") fail(DeviceErrorCode.NOT_A_BRIDGE, "device is not a bridge", { bridge: bridgeId });
  if (!equalBytes(bridge.owner, owner)) fail(DeviceErrorCode.BRIDGE_NOT_OWNED, "bridge has another owner", { bridge: bridgeId });
  if (bridge.status !== "active") fail(DeviceErrorCode.BRIDGE_INACTIVE, "bridge is not active", { bridge: bridgeId, status: bridge.status });
  return bridge;
}

/** Refuses a key any device ever had: the current key of a live device, or a retired one. */
function checkKeyUnused(state: StateOverlay, publicKey: Uint8Array): void {
  const use = keyUse(state, addressOf(publicKey));
  if (use === undefined) return;
  if (use.retired) fail(DeviceErrorCode.KEY_RETIRED, "key was used by a device before");
  const holder = readDevice(state, use.deviceId);
  if (holder?.status === "revoked") fail(DeviceErrorCode.KEY_RETIRED, "key belongs to a revoked device");
  fail(DeviceErrorCode.KEY_IN_USE, "key is the key of a device", { device: use.deviceId });
}

export interface RegisterArgs {
  readonly id: string;
  readonly keyType: KeyType;
  readonly publicKey: Uint8Array;
  readonly profileId: string;
  readonly kind: DeviceKind;
  readonly bridge: string | null;
  readonly zone: string | null;
  readonly meta: string | null;
}

/**
 * `devices.register [id, keyType, publicKey, profileId, kind, bridge, zone, meta]`:
 * id: 1-64 of [a-z0-9._:-]; keyType: "secp256k1" | "p256" | "ed25519"; publicKey: compressed
 * SEC1 (33 bytes) or raw Ed25519 (32); profileId: an id; kind: "sensor" | "bridge";
 * bridge: a bridge id or null (sensors only); zone: 1-64 of [a-z0-9._:-] or null;
 * meta: a string of at most 256 or null. By an operator, who becomes the owner.
 */
export const register = defineMethod<RegisterArgs>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 8);
    const id = readId(r, "id");
    const keyType = readOneOf(r, "keyType", KEY_TYPES);
    const publicKey = r.bytes("publicKey", PUBLIC_KEY_LENGTH[keyType]);
    if (!isWellFormedKey(keyType, publicKey)) malformed("publicKey", `a compressed ${keyType} public key`);
    const profileId = readId(r, "profileId", PROFILE_ID_RE);
    const kind = readOneOf(r, "kind", ["sensor", "bridge"] as const);
    const bridge = readNullableId(r, "bridge");
    if (kind === "bridge" && bridge !== null) malformed("bridge", "null for a bridge");
    const zone = readNullableId(r, "zone", ZONE_RE);
    const meta = r.optional("meta", (v) => (typeof v === "string" && v.length <= MAX_META_LENGTH ? v : malformed("meta", `null or a string of at most ${MAX_META_LENGTH}`)));
    return { id, keyType, publicKey, profileId, kind, bridge, zone, meta };
  },
  authorise(state, sender) {
    if (!hasRole(state, sender, "operator")) fail(DeviceErrorCode.UNAUTHORISED, "only an operator registers devices");
  },
  execute(ctx, a) {
    const previous = readDevice(ctx.state, a.id);
    if (previous !== undefined) {
      fail(previous.status === "revoked" ? DeviceErrorCode.ID_RETIRED : DeviceErrorCode.DEVICE_EXISTS, "id already registered", { id: a.id });
    }
    checkKeyUnused(ctx.state, a.publicKey);
    if (readProfile(ctx.state, a.profileId) === undefined) fail(DeviceErrorCode.PROFILE_UNKNOWN, "no such profile", { profile: a.profileId });
    if (a.bridge !== null) {
      usableBridge(ctx, a.bridge, ctx.sender);
      addBound(ctx.state, a.bridge, 1);
    }
    writeDevice(ctx.state, {
      ...a,
      owner: ctx.sender,
      status: "active",
      nonce: 0,
      registeredAt: ctx.env.height,
      anomalyWindow: [],
      counters: ZERO_COUNTERS,
    });
    writeKeyUse(ctx.state, a.publicKey, { deviceId: a.id, retired: false });
    ctx.emit("device.registered", [
      ["device", a.id],
      ["owner", ctx.sender],
      ["keyType", a.keyType],
      ["publicKey", a.publicKey],
      ["profile", a.profileId],
      ["kind", a.kind],
      ["bridge", a.bridge],
      ["zone", a.zone],
    ]);
  },
});

/** `devices.bind [id, bridge]`: bridge is a bridge id, or null to unbind. Owner only; sensors only. */
export const bind = defineMethod<{ id: string; bridge: string | null }>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 2);
    return { id: readId(r, "id"), bridge: readNullableId(r, "bridge") };
  },
  execute(ctx, { id, bridge }) {
    const record = managed(ctx, id, false);
    if (record.kind !== "sensor") fail(DeviceErrorCode.WRONG_KIND, "only sensors are bound to bridges", { id });
    if (bridge !== null) usableBridge(ctx, bridge, record.owner);
    if (record.bridge !== null) addBound(ctx.state, record.bridge, -1);
    if (bridge !== null) addBound(ctx.state, bridge, 1);
    writeDevice(ctx.state, { ...record, bridge });
    ctx.emit("device.bound", [
      ["device", id],
      ["bridge", bridge],
      ["previous", record.bridge],
    ]);
  },
});

/**
 * `devices.rotateKey [id, publicKey]`: a new key of the device's key type, never used by any
 * device. Owner only, active or suspended. The old key is retired for good.
 */
export const rotateKey = defineMethod<{ id: string; publicKey: Uint8Array }>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 2);
    const id = readId(r, "id");
    const publicKey = r.bytes("publicKey", undefined, 33);
    if (publicKey.length < 32) malformed("publicKey", "a 32 or 33 byte public key");
    return { id, publicKey };
  },
  execute(ctx, { id, publicKey }) {
    const record = managed(ctx, id, false);
    if (!isWellFormedKey(record.keyType, publicKey)) {
      fail(DeviceErrorCode.INVALID_ARGUMENT, "not a public key of the device's key type", { keyType: record.keyType });
    }
    checkKeyUnused(ctx.state, publicKey);
    writeKeyUse(ctx.state, record.publicKey, { deviceId: id, retired: true });
    writeKeyUse(ctx.state, publicKey, { deviceId: id, retired: false });
    writeDevice(ctx.state, { ...record, publicKey });
    ctx.emit("device.keyRotated", [
      ["device", id],
      ["publicKey", publicKey],
      ["previous", record.publicKey],
    ]);
  },
});

const readReason = (r: TupleReader): string => r.string("reason", MAX_REASON_LENGTH);

/** `devices.suspend [id, reason]`: reason, a string of at most 256. Owner or admin; active devices only. */
export const suspend = defineMethod<{ id: string; reason: string }>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 2);
    return { id: readId(r, "id"), reason: readReason(r) };
  },
  execute(ctx, { id, reason }) {
    const record = managed(ctx, id, true);
    if (record.status !== "active") fail(DeviceErrorCode.WRONG_STATUS, "device is not active", { id, status: record.status });
    writeDevice(ctx.state, { ...record, status: "suspended" });
    ctx.emit("device.suspended", [
      ["device", id],
      ["reason", reason],
      ["by", ctx.sender],
    ]);
  },
});

/** `devices.reinstate [id]`: owner or admin; suspended devices only; clears the anomaly window. */
export const reinstate = defineMethod<{ id: string }>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 1);
    return { id: readId(r, "id") };
  },
  execute(ctx, { id }) {
    const record = managed(ctx, id, true);
    if (record.status !== "suspended") fail(DeviceErrorCode.WRONG_STATUS, "device is not suspended", { id, status: record.status });
    writeDevice(ctx.state, { ...record, status: "active", anomalyWindow: [] });
    ctx.emit("device.reinstated", [
      ["device", id],
      ["by", ctx.sender],
    ]);
  },
});

/**
 * `devices.revoke [id, reason]`: owner or admin; permanent (the id and every key the device
 * had are never registered again). A revoked sensor no longer counts as bound to its bridge.
 */
export const revoke = defineMethod<{ id: string; reason: string }>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 2);
    return { id: readId(r, "id"), reason: readReason(r) };
  },
  execute(ctx, { id, reason }) {
    const record = managed(ctx, id, true);
    if (record.bridge !== null) addBound(ctx.state, record.bridge, -1);
    writeDevice(ctx.state, { ...record, status: "revoked" });
    ctx.emit("device.revoked", [
      ["device", id],
      ["reason", reason],
      ["by", ctx.sender],
    ]);
  },
});

/**
 * `devices.transfer [id, newOwner]`: newOwner, a 20-byte address holding the operator role.
 * Owner only. A sensor is unbound from its bridge (the bridge stays with the old owner); a
 * bridge with devices bound to it cannot be transferred.
 */
export const transfer = defineMethod<{ id: string; newOwner: Uint8Array }>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 2);
    return { id: readId(r, "id"), newOwner: r.bytes("newOwner", ADDRESS_LENGTH) };
  },
  execute(ctx, { id, newOwner }) {
    const record = managed(ctx, id, false);
    if (equalBytes(newOwner, record.owner)) fail(DeviceErrorCode.INVALID_ARGUMENT, "the device already has this owner", { id });
    if (!hasRole(ctx.state, newOwner, "operator")) fail(DeviceErrorCode.NOT_OPERATOR, "the new owner is not an operator");
    if (record.kind === "bridge" && boundCount(ctx.state, id) > 0) {
      fail(DeviceErrorCode.BRIDGE_IN_USE, "devices are bound to this bridge", { id });
    }
    if (record.bridge !== null) addBound(ctx.state, record.bridge, -1);
    writeDevice(ctx.state, { ...record, owner: newOwner, bridge: null });
    ctx.emit("device.transferred", [
      ["device", id],
      ["from", record.owner],
      ["to", newOwner],
    ]);
  },
});
