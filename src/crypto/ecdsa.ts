import type { KeyType } from "./keyTypes.js";

// Curve orders, for the low-S rule (a signature with s > n/2 is malleable and rejected).
const ORDER: Record<"secp256k1" | "p256", bigint> = {
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  p256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};

function readScalar(bytes: Uint8Array, offset: number): bigint {
  return BigInt("0x" + Buffer.from(bytes.buffer, bytes.byteOffset + offset, 32).toString("hex"));
}

/** True when a 64-byte compact ECDSA signature has 0 < r < n and 0 < s <= n/2. */
export function isLowS(type: "secp256k1" | "p256", signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const n = ORDER[type];
  const r = readScalar(signature, 0);
  const s = readScalar(signature, 32);
  return r > 0n && r < n && s > 0n && s <= n >> 1n;
}

/** Returns the low-S form of a compact signature (s replaced by n - s when it is high). */
export function normaliseS(type: "secp256k1" | "p256", signature: Uint8Array): Uint8Array {
  const n = ORDER[type];
  const s = readScalar(signature, 32);
  if (s <= n >> 1n) return signature;
  const out = new Uint8Array(signature);
  out.set(Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"), 32);
  return out;
}

export function isEcdsa(type: KeyType): type is "secp256k1" | "p256" {
  return type !== "ed25519";
}
