import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "../../src/crypto/bytes.js";
import { sha256 } from "../../src/crypto/hash.js";
import { generateKeyPair, signPayload, type KeyPair } from "../../src/crypto/keys.js";
import type { KeyType } from "../../src/crypto/keyTypes.js";
import { signedPayload, type SignedPayload } from "../../src/crypto/payload.js";
import { activeSecp256k1Backend, secp256k1Backends, useSecp256k1Backend, verifySignature } from "../../src/crypto/verify.js";
import { formatTable, rate, type BenchRow } from "../lib.js";

// Signing and verification per key type and secp256k1 backend, and SHA-256: the per-transaction
// costs of admission and block import. Every verification is over a distinct pre-signed message
// (SIGNED of them, cycled), with one key per type (node:crypto's key objects are cached).

const SIGNED = 256;
const SIGNER: Record<KeyType, string> = { secp256k1: "noble", p256: "node", ed25519: "node" };

interface Signed {
  readonly key: KeyPair;
  readonly payloads: readonly SignedPayload[];
  readonly signatures: readonly Uint8Array[];
}

function presign(type: KeyType): Signed {
  const key = generateKeyPair(type);
  const payloads = Array.from({ length: SIGNED }, (_, i) => signedPayload(utf8(`attesta bench message ${i} ${"x".repeat(i % 64)}`)));
  return { key, payloads, signatures: payloads.map((p) => signPayload(type, key.secretKey, p)) };
}

/** Ops/s of `verify` over the pre-signed messages in turn; throws if one does not verify. */
function verifyRate(s: Signed, verify: (publicKey: Uint8Array, signature: Uint8Array, payload: SignedPayload) => boolean): number {
  let i = 0;
  return rate(() => {
    const k = i++ % SIGNED;
    if (!verify(s.key.publicKey, s.signatures[k] as Uint8Array, s.payloads[k] as SignedPayload)) throw new Error("signature did not verify");
  });
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const signed = { secp256k1: presign("secp256k1"), p256: presign("p256"), ed25519: presign("ed25519") };

  for (const type of ["secp256k1", "p256", "ed25519"] as const) {
    const { key, payloads } = signed[type];
    let i = 0;
    const perSecond = rate(() => void signPayload(type, key.secretKey, payloads[i++ % SIGNED] as SignedPayload));
    rows.push({ name: `${type} sign (${SIGNER[type]})`, value: perSecond, unit: "ops/s" });
  }

  const active = activeSecp256k1Backend();
  const secp = signed.secp256k1;
  rows.push({
    name: `secp256k1 verifySignature (active: ${active})`,
    value: verifyRate(secp, (pub, sig, p) => verifySignature("secp256k1", pub, sig, p)),
    unit: "ops/s",
    note: `${SIGNED} messages cycled`,
  });
  for (const backend of secp256k1Backends) {
    rows.push({ name: `secp256k1 verify (${backend.name})`, value: verifyRate(secp, backend.verify), unit: "ops/s", note: "backend object directly" });
  }
  for (const backend of secp256k1Backends) {
    if (backend.name === active) continue;
    useSecp256k1Backend(backend.name);
    rows.push({ name: `secp256k1 verifySignature (${backend.name})`, value: verifyRate(secp, (pub, sig, p) => verifySignature("secp256k1", pub, sig, p)), unit: "ops/s" });
  }
  useSecp256k1Backend(active);

  for (const type of ["p256", "ed25519"] as const) {
    rows.push({
      name: `${type} verifySignature (node)`,
      value: verifyRate(signed[type], (pub, sig, p) => verifySignature(type, pub, sig, p)),
      unit: "ops/s",
      note: "cached key object",
    });
  }

  for (const size of [32, 1024]) {
    const data = new Uint8Array(size).fill(0x5a);
    const label = size === 32 ? "32 B" : "1 KB";
    rows.push({ name: `sha256 ${label} (node:crypto hash)`, value: rate(() => void sha256(data)), unit: "ops/s" });
    rows.push({ name: `sha256 ${label} (@noble/hashes)`, value: rate(() => void nobleSha256(data)), unit: "ops/s", note: "reference" });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
