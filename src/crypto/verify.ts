import { createRequire } from "node:module";
import { verify as nodeVerify } from "node:crypto";
import * as secp from "@noble/secp256k1";
import { isLowS } from "./ecdsa.js";
import { HASH_LENGTH } from "./hash.js";
import { KeyObjectCache } from "./nodeKeys.js";
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, type KeyType } from "./keyTypes.js";
import type { SignedPayload } from "./payload.js";
import "./keys.js"; // wires noble's hashes

/** A secp256k1 verification backend. All of them take the same inputs and must agree. */
export interface Secp256k1Backend {
  readonly name: Secp256k1BackendName;
  verify(publicKey: Uint8Array, signature: Uint8Array, payload: SignedPayload): boolean;
}
export type Secp256k1BackendName = "native" | "node" | "noble";

/** A backend's own check, given the payload's digest read once (a payload may hash its message on each read). */
type Secp256k1Check = (publicKey: Uint8Array, signature: Uint8Array, digest: Uint8Array, payload: SignedPayload) => boolean;

const keyCache = new KeyObjectCache();

function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false; // an invalid point or encoding is a failed verification, never a crash
  }
}

/**
 * The checks every backend shares, so that all of them agree on every input: a compressed
 * public key, a 64-byte low-S signature (OpenSSL alone would accept high S, and libsecp256k1
 * and noble would accept 65-byte uncompressed keys) and a 32-byte digest.
 */
function secp256k1Backend(name: Secp256k1BackendName, verify: Secp256k1Check): Secp256k1Backend {
  return {
    name,
    verify(publicKey, signature, payload) {
      if (publicKey.length !== PUBLIC_KEY_LENGTH.secp256k1 || signature.length !== SIGNATURE_LENGTH || !isLowS("secp256k1", signature)) return false;
      const digest = payload.digest;
      return digest.length === HASH_LENGTH && safely(() => verify(publicKey, signature, digest, payload));
    },
  };
}

const nobleBackend = secp256k1Backend("noble", (publicKey, signature, digest) => secp.verify(signature, digest, publicKey, { prehash: false, lowS: true }));

const nodeBackend = secp256k1Backend("node", (publicKey, signature, _digest, payload) =>
  nodeVerify("sha256", payload.message, { key: keyCache.get("secp256k1", publicKey), dsaEncoding: "ieee-p1363" }, signature),
);

interface NativeBindings {
  ecdsaVerify(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean;
}

function loadNative(): Secp256k1Backend | undefined {
  try {
    // The optional `secp256k1` package's compiled libsecp256k1 (prebuilt for linux-x64;
    // elsewhere it is absent and we fall back to OpenSSL). Its JS fallback is not used.
    const native = createRequire(import.meta.url)("secp256k1/bindings") as NativeBindings;
    return secp256k1Backend("native", (publicKey, signature, digest) => native.ecdsaVerify(signature, digest, publicKey));
  } catch {
    return undefined;
  }
}

/** Every secp256k1 backend present on this machine, fastest first. */
export const secp256k1Backends: readonly Secp256k1Backend[] = [loadNative(), nodeBackend, nobleBackend].filter(
  (b): b is Secp256k1Backend => b !== undefined,
);

let active: Secp256k1Backend = secp256k1Backends[0] ?? nodeBackend;

/** The backend in use: the fastest present, unless `useSecp256k1Backend` chose another. */
export function activeSecp256k1Backend(): Secp256k1BackendName {
  return active.name;
}

export function useSecp256k1Backend(name: Secp256k1BackendName): void {
  const found = secp256k1Backends.find((b) => b.name === name);
  if (found === undefined) throw new RangeError(`secp256k1 backend ${name} is not available here`);
  active = found;
}

/**
 * Verifies a signature over a payload. Lengths are checked here, at the boundary; ECDSA
 * signatures must be low-S. Returns false (never throws) for any invalid input.
 */
export function verifySignature(type: KeyType, publicKey: Uint8Array, signature: Uint8Array, payload: SignedPayload): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH[type] || signature.length !== SIGNATURE_LENGTH) return false;
  switch (type) {
    case "secp256k1":
      return active.verify(publicKey, signature, payload); // low-S is checked by every backend
    case "p256":
      return (
        isLowS("p256", signature) &&
        safely(() =>
          nodeVerify("sha256", payload.message, { key: keyCache.get("p256", publicKey), dsaEncoding: "ieee-p1363" }, signature),
        )
      );
    case "ed25519":
      return safely(() => nodeVerify(null, payload.digest, keyCache.get("ed25519", publicKey), signature));
  }
}
