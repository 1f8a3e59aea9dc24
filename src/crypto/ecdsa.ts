import type { KeyType } from "./keyTypes.js";

// Curve orders, for the low-S rule (a signature with s > n/2 is malleable and rejected).
const ORDER: Record<"secp256k1" | "p256", bigint> = {
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  p256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};

function readScalar(bytes: Uint8Array, offset: number): bigint {
  return BigInt("0x" + Buffer.from(bytes.buffer, bytes.byteOffset + offset, 32).toString("hex"));
}

const scalarBytes = (value: bigint): Uint8Array => Uint8Array.from(Buffer.from(value.toString(16).padStart(64, "0"), "hex"));
// n and n/2 as 32-byte big-endian numbers: byte comparison is the hot path's range check
// (several times cheaper than parsing the scalars into BigInts on every verification).
const ORDER_BYTES = { secp256k1: scalarBytes(ORDER.secp256k1), p256: scalarBytes(ORDER.p256) };
const HALF_ORDER_BYTES = { secp256k1: scalarBytes(ORDER.secp256k1 >> 1n), p256: scalarBytes(ORDER.p256 >> 1n) };

/** The 32 bytes of `a` at `offset` against `b`, as big-endian numbers: negative, 0 or positive. */
function compare32(a: Uint8Array, offset: number, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = (a[offset + i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function isZero32(a: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) if (a[offset + i] !== 0) return false;
  return true;
}

/** True when a 64-byte compact ECDSA signature has 0 < r < n and 0 < s <= n/2 (a plain byte loop: no Buffer view, no subarrays). */
export function isLowS(type: "secp256k1" | "p256", signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  return !isZero32(signature, 0) && compare32(signature, 0, ORDER_BYTES[type]) < 0 && !isZero32(signature, 32) && compare32(signature, 32, HALF_ORDER_BYTES[type]) <= 0;
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
