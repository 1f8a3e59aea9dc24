import { ModuleId, stateKey } from "../moduleIds.js";
import type { StateOverlay, StateReader } from "../state.js";

/** Roles an account may hold. The numbers are in state keys: never reorder. */
export const Role = { admin: 1, operator: 2, consumer: 3 } as const;
export type Role = keyof typeof Role;
export const ROLES = Object.keys(Role) as Role[];

const roleKey = (role: Role, address: Uint8Array): Uint8Array => stateKey(ModuleId.ACCESS, Uint8Array.of(Role[role]), address);
const HELD = Uint8Array.of(1);

export async function hasRole(state: StateReader, address: Uint8Array, role: Role): Promise<boolean> {
  return (await state.get(roleKey(role, address))) !== undefined;
}

export async function rolesOf(state: StateReader, address: Uint8Array): Promise<Role[]> {
  const held: Role[] = [];
  for (const role of ROLES) if (await hasRole(state, address, role)) held.push(role);
  return held;
}

export function grantRole(state: StateOverlay, address: Uint8Array, role: Role): void {
  state.set(roleKey(role, address), HELD);
}

export function revokeRole(state: StateOverlay, address: Uint8Array, role: Role): void {
  state.delete(roleKey(role, address));
}
