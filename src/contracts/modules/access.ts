import { ADDRESS_LENGTH } from "../../crypto/address.js";
import { equalBytes } from "../../crypto/bytes.js";
import { AttestaError } from "../../errors.js";
import { CodecErrorCode, type Encodable } from "../../ledger/codec.js";
import { TupleReader } from "../../ledger/tuple.js";
import { ExecErrorCode } from "../errors.js";
import { ModuleId, stateKey } from "../moduleIds.js";
import { defineMethod, type ContractModule } from "../runtime.js";
import type { StateOverlay, StateView } from "../state.js";

/** Roles an account may hold. The numbers are in state keys: never reorder. */
export const Role = { admin: 1, operator: 2, consumer: 3 } as const;
export type Role = keyof typeof Role;
export const ROLES = Object.keys(Role) as Role[];

const roleKey = (role: Role, address: Uint8Array): Uint8Array => stateKey(ModuleId.ACCESS, Uint8Array.of(Role[role]), address);
const HELD = Uint8Array.of(1);

export function hasRole(state: StateView, address: Uint8Array, role: Role): boolean {
  return state.get(roleKey(role, address)) !== undefined;
}

export function rolesOf(state: StateView, address: Uint8Array): Role[] {
  const held: Role[] = [];
  for (const role of ROLES) if (hasRole(state, address, role)) held.push(role);
  return held;
}

export function grantRole(state: StateOverlay, address: Uint8Array, role: Role): void {
  state.set(roleKey(role, address), HELD);
}

export function revokeRole(state: StateOverlay, address: Uint8Array, role: Role): void {
  state.delete(roleKey(role, address));
}

/** Why an access method fails (its receipt's code). Stable: never rename one. */
export const AccessErrorCode = {
  UNAUTHORISED: ExecErrorCode.UNAUTHORISED,
  /** The account already holds the role. */
  ROLE_HELD: "ROLE_HELD",
  /** The account does not hold the role. */
  ROLE_NOT_HELD: "ROLE_NOT_HELD",
  /** An admin cannot revoke its own admin role (so the chain never locks itself out by mistake). */
  SELF_REVOKE: "SELF_REVOKE",
} as const;
export type AccessErrorCode = (typeof AccessErrorCode)[keyof typeof AccessErrorCode];

export interface RoleArgs {
  readonly account: Uint8Array;
  readonly role: Role;
}

function decodeRoleArgs(args: readonly Encodable[]): RoleArgs {
  const r = new TupleReader(args, "args", 2);
  const account = r.bytes("account", ADDRESS_LENGTH);
  const role = r.string("role", 16);
  if (!(ROLES as string[]).includes(role)) {
    throw new AttestaError(CodecErrorCode.MALFORMED, `args.role: expected ${ROLES.join(" | ")}`, { field: "args.role" });
  }
  return { account, role: role as Role };
}

function requireAdmin(state: StateView, sender: Uint8Array): void {
  if (!hasRole(state, sender, "admin")) throw new AttestaError(AccessErrorCode.UNAUTHORISED, "only an admin manages roles");
}

/** `access.grant [account: 20-byte address, role: "admin" | "operator" | "consumer"]`, by an admin. */
const grant = defineMethod<RoleArgs>({
  decodeArgs: decodeRoleArgs,
  authorise: (state, sender) => requireAdmin(state, sender),
  execute(ctx, { account, role }) {
    if (hasRole(ctx.state, account, role)) throw new AttestaError(AccessErrorCode.ROLE_HELD, "role already held", { role });
    grantRole(ctx.state, account, role);
    ctx.emit("role.granted", [
      ["account", account],
      ["role", role],
      ["by", ctx.sender],
    ]);
  },
});

/** `access.revoke [account: 20-byte address, role]`, by an admin (not of its own admin role). */
const revoke = defineMethod<RoleArgs>({
  decodeArgs: decodeRoleArgs,
  authorise: (state, sender) => requireAdmin(state, sender),
  execute(ctx, { account, role }) {
    if (role === "admin" && equalBytes(account, ctx.sender)) throw new AttestaError(AccessErrorCode.SELF_REVOKE, "an admin cannot revoke its own admin role");
    if (!hasRole(ctx.state, account, role)) throw new AttestaError(AccessErrorCode.ROLE_NOT_HELD, "role not held", { role });
    revokeRole(ctx.state, account, role);
    ctx.emit("role.revoked", [
      ["account", account],
      ["role", role],
      ["by", ctx.sender],
    ]);
  },
});

/** Roles: admins grant and revoke them. */
export const accessModule: ContractModule = { name: "access", methods: { grant, revoke } };
