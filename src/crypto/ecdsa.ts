import type { KeyType } from "./keyTypes.js";

// Curve orders, for the low-S rule (a signature with s > n/2 is malleable and rejected).
const ORDER: Record<"secp256k1" | "p256", bigint> = {
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  p256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};

function readScalar(bytes: Uint8Array, offset: number): bigint {
  return BigInt("0x" + Buffer.from(bytes.buffer, bytes.byteOffset + offset, 32).toString("hex"));
}

const scalarBytes = (value: bigint): Buffer => Buffer.from(value.toString(16).padStart(64, "0"), "hex");
const ZERO = Buffer.alloc(32);
// n and n/2 as 32-byte big-endian numbers: byte comparison is the hot path's range check
// (several times cheaper than parsing the scalars into BigInts on every verification).
const ORDER_BYTES = { secp256k1: scalarBytes(ORDER.secp256k1), p256: scalarBytes(ORDER.p256) };
const HALF_ORDER_BYTES = { secp256k1: scalarBytes(ORDER.secp256k1 >> 1n), p256: scalarBytes(ORDER.p256 >> 1n) };

/** True when a 64-byte compact ECDSA signature has 0 < r < n and 0 < s <= n/2. */
export function isLowS(type: "secp256k1" | "p256", signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const sig = Buffer.from(signature.buffer, signature.byteOffset, 64);
  const r = sig.subarray(0, 32);
  const s = sig.subarray(32, 64);
  return r.compare(ZERO) > 0 && r.compare(ORDER_BYTES[type]) < 0 && s.compare(ZERO) > 0 && s.compare(HALF_ORDER_BYTES[type]) <= 0;
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
