import { addressOf } from "../crypto/address.js";
import { equalBytes } from "../crypto/bytes.js";
import { PUBLIC_KEY_LENGTH } from "../crypto/keyTypes.js";
import { addressBytes } from "./buildTransaction.js";
import { bytesArg, checkId } from "./argChecks.js";

// Argument tuples of the governance methods: roles (`access`), behaviour profiles
// (`profiles`) and the validator set (`validators`).

export const ROLES = ["admin", "operator", "consumer"] as const;
export type Role = (typeof ROLES)[number];

function checkRole(role: Role): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new RangeError("role must be admin, operator or consumer");
  return role;
}

/** `access.grant`: `[account, role]`, by an admin. */
export function grantRoleArgs(account: Uint8Array | string, role: Role): [Uint8Array, Role] {
  return [addressBytes(account, "account"), checkRole(role)];
}

/** `access.revoke`: `[account, role]`, by an admin. */
export function revokeRoleArgs(account: Uint8Array | string, role: Role): [Uint8Array, Role] {
  return [addressBytes(account, "account"), checkRole(role)];
}

/**
 * `profiles.publish`: `[id, specJson]`, by an admin. The spec goes on chain as JSON text: a
 * string is sent as it is, an object as `JSON.stringify` of it.
 */
export function publishProfileArgs(id: string, spec: string | object): [string, string] {
  const text = typeof spec === "string" ? spec : JSON.stringify(spec);
  if (typeof text !== "string") throw new TypeError("spec must be JSON text or a JSON-serialisable object");
  return [checkId("id", id), text];
}

/** `profiles.assign`: `[deviceId, profileId]`, by the device's owner. */
export function assignProfileArgs(deviceId: string, profileId: string): [string, string] {
  return [checkId("deviceId", deviceId), checkId("profileId", profileId)];
}

export interface VoteParams {
  /** The validator to add or remove. */
  readonly target: Uint8Array | string;
  readonly add: boolean;
  /** Required to add: the target's secp256k1 public key (33 bytes), whose address is `target`. None to remove. */
  readonly publicKey?: Uint8Array | string | null;
}

/** `validators.vote`: `[target, add, publicKey | null]`, by a current validator. */
export function voteArgs(p: VoteParams): [Uint8Array, boolean, Uint8Array | null] {
  const target = addressBytes(p.target, "target");
  if (typeof p.add !== "boolean") throw new TypeError("add must be a boolean");
  const hasKey = p.publicKey !== undefined && p.publicKey !== null;
  if (p.add !== hasKey) throw new TypeError(p.add ? "publicKey is required to add a validator" : "publicKey must be absent to remove a validator");
  if (!p.add) return [target, false, null];
  const publicKey = bytesArg("publicKey", p.publicKey as Uint8Array | string, PUBLIC_KEY_LENGTH.secp256k1);
  if (!equalBytes(addressOf(publicKey), target)) throw new RangeError("publicKey is not the key of target");
  return [target, true, publicKey];
}
