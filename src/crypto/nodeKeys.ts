import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { concatBytes, fromHex } from "./bytes.js";
import type { KeyType } from "./keyTypes.js";
import { BoundedCache } from "../boundedCache.js";

// DER prefixes that wrap raw keys for node:crypto (SPKI for public keys, PKCS#8 for secrets).
const SPKI_PREFIX: Record<KeyType, Uint8Array> = {
  secp256k1: fromHex("0x3036301006072a8648ce3d020106052b8104000a032200"),
  p256: fromHex("0x3039301306072a8648ce3d020106082a8648ce3d030107032200"),
  ed25519: fromHex("0x302a300506032b6570032100"),
};
const PKCS8_PREFIX: Record<KeyType, Uint8Array> = {
  secp256k1: fromHex("0x302e0201010420"),
  p256: fromHex("0x3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420"),
  ed25519: fromHex("0x302e020100300506032b657004220420"),
};

/** A public KeyObject from a raw (compressed) public key; throws on an invalid point. */
export function publicKeyObject(type: KeyType, publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX[type], publicKey)), format: "der", type: "spki" });
}

/** A private KeyObject from a raw 32-byte secret (P-256 and Ed25519 only: secp256k1 signs with noble). */
export function privateKeyObject(type: "p256" | "ed25519", secretKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX[type], secretKey)), format: "der", type: "pkcs8" });
}

/** Bounded cache of public KeyObjects: building one costs more than an Ed25519 verification. */
export class KeyObjectCache {
  private readonly entries: BoundedCache<string, KeyObject>;

  constructor(capacity = 8192) {
    this.entries = new BoundedCache(capacity);
  }

  get(type: KeyType, publicKey: Uint8Array): KeyObject {
    // A latin1 view of the key's bytes, not a copy (Buffer.from(array) would allocate one per verification).
    const id = type + Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString("latin1");
    let key = this.entries.get(id);
    if (key === undefined) {
      key = publicKeyObject(type, publicKey);
      this.entries.set(id, key);
    }
    return key;
  }
}
