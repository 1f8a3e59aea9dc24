/** Signature schemes. Accounts and validators use secp256k1; devices may use any of the three. */
export const KEY_TYPES = ["secp256k1", "p256", "ed25519"] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** Wire codes of the key types (the index in KEY_TYPES); stable: never reorder. */
export function keyTypeCode(type: KeyType): number {
  return KEY_TYPES.indexOf(type);
}

export function keyTypeFromCode(code: number): KeyType | undefined {
  return KEY_TYPES[code];
}

export function isKeyType(value: unknown): value is KeyType {
  return typeof value === "string" && (KEY_TYPES as readonly string[]).includes(value);
}

/** Public key lengths: compressed SEC1 points for the ECDSA curves, raw 32 bytes for Ed25519. */
export const PUBLIC_KEY_LENGTH: Record<KeyType, number> = { secp256k1: 33, p256: 33, ed25519: 32 };
export const SECRET_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
