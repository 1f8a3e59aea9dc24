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
