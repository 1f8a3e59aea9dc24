import type { KeyType } from "../crypto/keyTypes.js";
import { addressBytes } from "./buildTransaction.js";
import { bytesArg, checkId, checkKeyType, checkText, optionalText, publicKeyArg } from "./argChecks.js";

const optionalId = (name: string, value: string | null | undefined): string | null =>
  value === undefined || value === null ? null : checkId(name, value);

// Argument tuples of the `devices` module's methods, in their wire order.

export type DeviceKind = "sensor" | "bridge";

export interface RegisterDeviceParams {
  /** 1-64 characters of [a-z0-9._:-]. */
  readonly id: string;
  readonly keyType: KeyType;
  /** Its public key: 33 bytes (compressed) for secp256k1 and P-256, 32 for Ed25519; bytes or 0x hex. */
  readonly publicKey: Uint8Array | string;
  readonly profileId: string;
  /** Default `sensor`. */
  readonly kind?: DeviceKind;
  /** The bridge device it is bound to (sensors only). */
  readonly bridge?: string | null;
  /** 1-64 characters of [a-z0-9._:-]. */
  readonly zone?: string | null;
  readonly meta?: string | null;
}

export type RegisterDeviceArgs = [
  id: string,
  keyType: KeyType,
  publicKey: Uint8Array,
  profileId: string,
  kind: DeviceKind,
  bridge: string | null,
  zone: string | null,
  meta: string | null,
];

/** `devices.register`: `[id, keyType, publicKey, profileId, kind, bridge, zone, meta]`. */
export function registerDeviceArgs(p: RegisterDeviceParams): RegisterDeviceArgs {
  const keyType = checkKeyType(p.keyType);
  const kind = p.kind ?? "sensor";
  if (kind !== "sensor" && kind !== "bridge") throw new RangeError("kind must be sensor or bridge");
  const bridge = optionalId("bridge", p.bridge);
  if (kind === "bridge" && bridge !== null) throw new RangeError("a bridge is not bound to a bridge");
  return [
    checkId("id", p.id),
    keyType,
    publicKeyArg(keyType, p.publicKey),
    checkId("profileId", p.profileId),
    kind,
    bridge,
    optionalId("zone", p.zone),
    optionalText("meta", p.meta),
  ];
}

/** `devices.bind`: `[id, bridge]`; a null bridge unbinds the sensor. */
export function bindDeviceArgs(id: string, bridge: string | null): [string, string | null] {
  return [checkId("id", id), optionalId("bridge", bridge)];
}

/** `devices.rotateKey`: `[id, publicKey]` (the new key, of the device's key type). */
export function rotateDeviceKeyArgs(id: string, publicKey: Uint8Array | string): [string, Uint8Array] {
  return [checkId("id", id), bytesArg("publicKey", publicKey, 33, 32)];
}

/** `devices.suspend`: `[id, reason]`. */
export function suspendDeviceArgs(id: string, reason = ""): [string, string] {
  return [checkId("id", id), checkText("reason", reason)];
}

/** `devices.reinstate`: `[id]`. */
export function reinstateDeviceArgs(id: string): [string] {
  return [checkId("id", id)];
}

/** `devices.revoke`: `[id, reason]`. Permanent: the id and the key can never be registered again. */
export function revokeDeviceArgs(id: string, reason = ""): [string, string] {
  return [checkId("id", id), checkText("reason", reason)];
}

/** `devices.transfer`: `[id, newOwner]`. */
export function transferDeviceArgs(id: string, newOwner: Uint8Array | string): [string, Uint8Array] {
  return [checkId("id", id), addressBytes(newOwner, "newOwner")];
}
