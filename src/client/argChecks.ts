import { fromHex, isHex } from "../crypto/bytes.js";
import { isKeyType, PUBLIC_KEY_LENGTH, type KeyType } from "../crypto/keyTypes.js";

// Argument checks of the SDK's transaction builders. A wrong argument is the caller's bug:
// TypeError for a wrong type or shape, RangeError for a value out of range.

const U64_MAX = (1n << 64n) - 1n;

/** Device ids (and profile ids): 1-64 characters of [a-z0-9._:-]. */
export const DEVICE_ID_RE = /^[a-z0-9._:-]{1,64}$/;

export function isDeviceId(value: unknown): value is string {
  return typeof value === "string" && DEVICE_ID_RE.test(value);
}

export function checkAmount(name: string, value: bigint): bigint {
  if (typeof value !== "bigint") throw new TypeError(`${name} must be a bigint`);
  if (value < 0n || value > U64_MAX) throw new RangeError(`${name} must fit in a u64`);
  return value;
}

export function checkUint(name: string, value: number): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number`);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}

export function checkId(name: string, value: string): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string`);
  if (!DEVICE_ID_RE.test(value)) throw new RangeError(`${name} must be 1-64 characters of [a-z0-9._:-]`);
  return value;
}

export function checkText(name: string, value: string): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string`);
  return value;
}

/** undefined and null both mean "none" (null on the wire). */
export function optionalText(name: string, value: string | null | undefined): string | null {
  return value === undefined || value === null ? null : checkText(name, value);
}

export function checkKeyType(value: string): KeyType {
  if (!isKeyType(value)) throw new RangeError("keyType must be secp256k1, p256 or ed25519");
  return value;
}

/** Bytes from bytes or 0x hex; TypeError unless they are `lengths` long (any of them). */
export function bytesArg(name: string, value: Uint8Array | string, ...lengths: number[]): Uint8Array {
  const bytes = typeof value === "string" ? (isHex(value) ? fromHex(value) : undefined) : value;
  if (!(bytes instanceof Uint8Array) || !lengths.includes(bytes.length)) {
    throw new TypeError(`${name} must be ${lengths.join(" or ")} bytes, or 0x hex of them`);
  }
  return bytes;
}

/** A public key of `keyType` (33 bytes compressed for the ECDSA curves, 32 for Ed25519). */
export function publicKeyArg(keyType: KeyType, value: Uint8Array | string): Uint8Array {
  return bytesArg("publicKey", value, PUBLIC_KEY_LENGTH[keyType]);
}
