import { sign as nodeSign, generateKeyPairSync, createPublicKey, createECDH } from "node:crypto";
import * as secp from "@noble/secp256k1";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { asBytes } from "./bytes.js";
import { normaliseS } from "./ecdsa.js";
import { privateKeyObject } from "./nodeKeys.js";
import { SECRET_KEY_LENGTH, type KeyType } from "./keyTypes.js";
import type { SignedPayload } from "./payload.js";
import { addressOf } from "./address.js";

// noble-secp256k1 v3 needs its hash functions wired in for synchronous signing (RFC 6979).
secp.hashes.sha256 = nobleSha256;
secp.hashes.hmacSha256 = ((key: Uint8Array, message: Uint8Array) => hmac(nobleSha256, key, message)) as typeof secp.hashes.hmacSha256;

export interface KeyPair {
  readonly type: KeyType;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly address: Uint8Array;
}

function checkSecret(secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_LENGTH) {
    throw new TypeError(`secret key must be ${SECRET_KEY_LENGTH} bytes`);
  }
}

/** The public key of a secret: compressed SEC1 for the ECDSA curves, raw for Ed25519. */
export function publicKeyOf(type: KeyType, secretKey: Uint8Array): Uint8Array {
  checkSecret(secretKey);
  switch (type) {
    case "secp256k1":
      return secp.getPublicKey(secretKey, true);
    case "p256": {
      const ecdh = createECDH("prime256v1");
      ecdh.setPrivateKey(secretKey);
      return asBytes(ecdh.getPublicKey(null, "compressed"));
    }
    case "ed25519": {
      const jwk = createPublicKey(privateKeyObject("ed25519", secretKey)).export({ format: "jwk" });
      return asBytes(Buffer.from(jwk.x ?? "", "base64url"));
    }
  }
}

export function keyPairFromSecret(type: KeyType, secretKey: Uint8Array): KeyPair {
  const publicKey = publicKeyOf(type, secretKey);
  return { type, secretKey, publicKey, address: addressOf(publicKey) };
}

export function generateKeyPair(type: KeyType = "secp256k1"): KeyPair {
  if (type === "secp256k1") return keyPairFromSecret(type, secp.utils.randomSecretKey());
  const { privateKey } =
    type === "p256" ? generateKeyPairSync("ec", { namedCurve: "prime256v1" }) : generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  return keyPairFromSecret(type, asBytes(Buffer.from(jwk.d ?? "", "base64url")));
}

/** Signs a payload: 64-byte compact, low-S for ECDSA; Ed25519 signs the digest. */
export function signPayload(type: KeyType, secretKey: Uint8Array, payload: SignedPayload): Uint8Array {
  checkSecret(secretKey);
  switch (type) {
    case "secp256k1":
      return secp.sign(payload.digest, secretKey, { prehash: false, lowS: true });
    case "p256": {
      const der = nodeSign("sha256", payload.message, { key: privateKeyObject("p256", secretKey), dsaEncoding: "ieee-p1363" });
      return normaliseS("p256", asBytes(der));
    }
    case "ed25519":
      return asBytes(nodeSign(null, payload.digest, privateKeyObject("ed25519", secretKey)));
  }
}
