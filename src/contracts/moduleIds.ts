import { utf8 } from "../crypto/bytes.js";

/**
 * The first byte of every state key names the module that owns it. Stable: retired ids are
 * commented out, never reused.
 */
export const ModuleId = {
  ACCOUNTS: 0x01,
  VALIDATORS: 0x02,
  ACCESS: 0x03,
  DEVICES: 0x04,
  PROFILES: 0x05,
  READINGS: 0x06,
  MARKET: 0x07,
  ACCOUNTING: 0x08,
} as const;
export type ModuleId = (typeof ModuleId)[keyof typeof ModuleId];

export function stateKey(module: ModuleId, ...parts: Uint8Array[]): Uint8Array {
  let length = 1;
  for (const p of parts) length += p.length;
  const key = new Uint8Array(length);
  key[0] = module;
  let offset = 1;
  for (const p of parts) {
    key.set(p, offset);
    offset += p.length;
  }
  return key;
}

/**
 * `stateKey(module, Uint8Array.of(...prefix), utf8(name))` built in one array: ids and names are
 * ASCII, whose UTF-8 is their char codes (no TextEncoder on the hot path; others fall back to it).
 */
export function nameKey(module: ModuleId, prefix: readonly number[], name: string): Uint8Array {
  const head = 1 + prefix.length;
  const key = new Uint8Array(head + name.length);
  key[0] = module;
  for (let i = 0; i < prefix.length; i++) key[1 + i] = prefix[i] as number;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x80) return stateKey(module, Uint8Array.from(prefix), utf8(name));
    key[head + i] = c;
  }
  return key;
}
