import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as secp from "@noble/secp256k1";
import { p256 } from "@noble/curves/nist.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { addressOf, ADDRESS_LENGTH } from "../../../src/crypto/address.js";
import { concatBytes, utf8 } from "../../../src/crypto/bytes.js";
import { isLowS } from "../../../src/crypto/ecdsa.js";
import { generateKeyPair, keyPairFromSecret, publicKeyOf, signPayload, type KeyPair } from "../../../src/crypto/keys.js";
import { KEY_TYPES, PUBLIC_KEY_LENGTH, type KeyType } from "../../../src/crypto/keyTypes.js";
import { signedPayload, type SignedPayload } from "../../../src/crypto/payload.js";
import {
  activeSecp256k1Backend,
  secp256k1Backends,
  useSecp256k1Backend,
  verifySignature,
  type Secp256k1Backend,
} from "../../../src/crypto/verify.js";
import { makeKey } from "../../fixtures/builders.js";

// @noble/secp256k1 (and @noble/curves for P-256 and Ed25519) is the reference: every backend
// must accept exactly what noble accepts on the same vectors, and never throw.

const SECP_N = secp.Point.CURVE().n;
const SECP_P = secp.Point.CURVE().p;
const P256_N = p256.Point.CURVE().n;
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;

function toScalar(bytes: Uint8Array): bigint {
  return BigInt("0x" + Buffer.from(bytes).toString("hex"));
}
function scalarBytes(value: bigint, length = 32): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex"));
}
function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[index] = (out[index] ?? 0) ^ 0x01;
  return out;
}
/** The same signature with s replaced by n - s: valid for plain ECDSA, malleable, refused here. */
function highS(signature: Uint8Array, n: bigint): Uint8Array {
  return concatBytes(signature.subarray(0, 32), scalarBytes(n - toScalar(signature.subarray(32))));
}

interface Vector {
  readonly key: KeyPair;
  readonly payload: SignedPayload;
  readonly signature: Uint8Array;
}

// Messages of several lengths (empty, one byte, a digest's size, a block's size) over keys
// from fixed seeds, plus the extreme secrets 1 and n - 1; signatures made by noble itself.
const MESSAGES = [new Uint8Array(0), Uint8Array.of(0), new Uint8Array(32).fill(0xff), utf8("attesta ".repeat(128))];
const SECP_KEYS = [
  ...Array.from({ length: 6 }, (_, i) => makeKey("secp256k1", `vector ${i}`)),
  keyPairFromSecret("secp256k1", scalarBytes(1n)),
  keyPairFromSecret("secp256k1", scalarBytes(SECP_N - 1n)),
];
const VECTORS: Vector[] = SECP_KEYS.flatMap((key, k) =>
  MESSAGES.map((message, m) => {
    const payload = signedPayload(concatBytes(message, Uint8Array.of(k, m)));
    return { key, payload, signature: secp.sign(payload.digest, key.secretKey, { prehash: false }) };
  }),
);
const [FIRST] = VECTORS as [Vector];
const OTHER_KEY = makeKey("secp256k1", "other");

/** 33-byte encodings that are no point of secp256k1. */
function invalidSecpKeys(): Uint8Array[] {
  const noSquareRoot: Uint8Array[] = [];
  for (let x = 1n; noSquareRoot.length < 2; x++) {
    const candidate = concatBytes(Uint8Array.of(2), scalarBytes(x));
    try {
      secp.Point.fromBytes(candidate);
    } catch {
      noSquareRoot.push(candidate); // x^3 + 7 has no square root mod p
    }
  }
  return [
    ...noSquareRoot,
    concatBytes(Uint8Array.of(2), scalarBytes(SECP_P)), // x = p, out of the field
    concatBytes(Uint8Array.of(5), FIRST.key.publicKey.subarray(1)), // no such prefix
    concatBytes(Uint8Array.of(4), FIRST.key.publicKey.subarray(1)), // uncompressed prefix, 32 bytes of x
    new Uint8Array(33),
  ];
}

describe("@noble/secp256k1 reference vectors", () => {
  it("are valid, low-S and equal to what signPayload makes (RFC 6979)", () => {
    for (const v of VECTORS) {
      expect(secp.verify(v.signature, v.payload.digest, v.key.publicKey, { prehash: false })).toBe(true);
      expect(isLowS("secp256k1", v.signature)).toBe(true);
      expect(signPayload("secp256k1", v.key.secretKey, v.payload)).toEqual(v.signature);
    }
  });

  it("include the keys of the secrets 1 and n - 1", () => {
    expect(SECP_KEYS[6]?.publicKey).toEqual(secp.Point.BASE.toBytes(true));
    expect(SECP_KEYS[7]?.publicKey).toEqual(secp.Point.BASE.negate().toBytes(true));
  });
});

describe("secp256k1 backends", () => {
  it("always include node and noble, fastest first, the first one active", () => {
    const names = secp256k1Backends.map((b) => b.name);
    expect(names).toContain("node");
    expect(names).toContain("noble");
    expect(names.filter((n) => n === "native").length).toBeLessThanOrEqual(1);
    expect(names.indexOf("node")).toBeLessThan(names.indexOf("noble"));
    if (names.includes("native")) expect(names[0]).toBe("native");
    expect(activeSecp256k1Backend()).toBe(names[0]);
  });

  it("refuse an unknown backend with RangeError", () => {
    expect(() => useSecp256k1Backend("nonexistent" as never)).toThrow(RangeError);
  });

  describe.each(secp256k1Backends.map((b) => [b.name, b] as const))("%s", (_name, backend: Secp256k1Backend) => {
    /** Verifies and asserts that the backend did not throw. */
    const check = (publicKey: Uint8Array, signature: Uint8Array, payload: SignedPayload): boolean => {
      let result: boolean | undefined;
      expect(() => (result = backend.verify(publicKey, signature, payload))).not.toThrow();
      return result as boolean;
    };

    it("verifies every reference vector", () => {
      for (const v of VECTORS) expect(check(v.key.publicKey, v.signature, v.payload)).toBe(true);
    });

    it("rejects a tampered message (and so digest)", () => {
      for (const v of VECTORS) {
        const tampered = signedPayload(concatBytes(v.payload.message, Uint8Array.of(0)));
        expect(check(v.key.publicKey, v.signature, tampered)).toBe(false);
        if (v.payload.message.length > 0) expect(check(v.key.publicKey, v.signature, signedPayload(flipByte(v.payload.message, 0)))).toBe(false);
      }
    });

    it("rejects any tampered signature byte", () => {
      for (const index of [0, 1, 16, 31, 32, 33, 48, 63]) {
        expect(check(FIRST.key.publicKey, flipByte(FIRST.signature, index), FIRST.payload)).toBe(false);
      }
    });

    it("rejects the high-S form (n - s) that plain ECDSA accepts", () => {
      for (const v of VECTORS) {
        const malleated = highS(v.signature, SECP_N);
        expect(secp.verify(malleated, v.payload.digest, v.key.publicKey, { prehash: false, lowS: false })).toBe(true);
        expect(check(v.key.publicKey, malleated, v.payload)).toBe(false);
      }
    });

    it("rejects r or s of zero or at least n", () => {
      const r = FIRST.signature.subarray(0, 32);
      const s = FIRST.signature.subarray(32);
      for (const signature of [
        concatBytes(new Uint8Array(32), s),
        concatBytes(r, new Uint8Array(32)),
        concatBytes(scalarBytes(SECP_N), s),
        concatBytes(scalarBytes(SECP_N + 1n), s),
        concatBytes(r, scalarBytes(SECP_N)),
        new Uint8Array(64).fill(0xff),
      ]) {
        expect(check(FIRST.key.publicKey, signature, FIRST.payload)).toBe(false);
      }
    });

    it("rejects the signature under another public key", () => {
      for (const v of VECTORS) expect(check(OTHER_KEY.publicKey, v.signature, v.payload)).toBe(false);
    });

    it("rejects wrong lengths of signature, public key and digest", () => {
      const { key, signature, payload } = FIRST;
      const uncompressed = secp.Point.fromBytes(key.publicKey).toBytes(false);
      for (const sig of [new Uint8Array(0), signature.subarray(0, 63), concatBytes(signature, Uint8Array.of(0))]) {
        expect(check(key.publicKey, sig, payload)).toBe(false);
      }
      for (const pub of [new Uint8Array(0), key.publicKey.subarray(0, 32), concatBytes(key.publicKey, Uint8Array.of(0)), uncompressed]) {
        expect(check(pub, signature, payload)).toBe(false);
      }
      for (const digest of [payload.digest.subarray(0, 31), concatBytes(payload.digest, Uint8Array.of(0))]) {
        expect(check(key.publicKey, signature, { message: payload.message, digest })).toBe(false);
      }
    });

    it("rejects public keys that are not points of the curve", () => {
      for (const pub of invalidSecpKeys()) expect(check(pub, FIRST.signature, FIRST.payload)).toBe(false);
    });

    it("agrees with noble on random keys, messages and one-byte signature mutations", () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 1n, max: SECP_N - 1n }),
          fc.uint8Array({ maxLength: 200 }),
          fc.nat({ max: 63 }),
          (secret, message, index) => {
            const key = keyPairFromSecret("secp256k1", scalarBytes(secret));
            const payload = signedPayload(message);
            const signature = secp.sign(payload.digest, key.secretKey, { prehash: false });
            expect(check(key.publicKey, signature, payload)).toBe(true);
            const mutated = flipByte(signature, index);
            const reference = secp.verify(mutated, payload.digest, key.publicKey, { prehash: false, lowS: true });
            expect(check(key.publicKey, mutated, payload)).toBe(reference);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
});

describe("verifySignature", () => {
  const initialBackend = activeSecp256k1Backend();
  afterEach(() => useSecp256k1Backend(initialBackend));

  const message = utf8("a reading: 21.5 °C");
  const payload = signedPayload(message);

  it.each(secp256k1Backends.map((b) => b.name))("verifies secp256k1 through the %s backend when it is active", (name) => {
    useSecp256k1Backend(name);
    expect(activeSecp256k1Backend()).toBe(name);
    const key = generateKeyPair("secp256k1");
    const signature = signPayload("secp256k1", key.secretKey, payload);
    expect(verifySignature("secp256k1", key.publicKey, signature, payload)).toBe(true);
    expect(verifySignature("secp256k1", key.publicKey, highS(signature, SECP_N), payload)).toBe(false);
    expect(verifySignature("secp256k1", OTHER_KEY.publicKey, signature, payload)).toBe(false);
    expect(verifySignature("secp256k1", key.publicKey, signature, signedPayload(utf8("another reading")))).toBe(false);
  });

  it.each(KEY_TYPES)("accepts %s signatures from signPayload and rejects them elsewhere, never throwing", (type: KeyType) => {
    const key = generateKeyPair(type);
    const other = generateKeyPair(type);
    const signature = signPayload(type, key.secretKey, payload);
    expect(signature.length).toBe(64);
    expect(verifySignature(type, key.publicKey, signature, payload)).toBe(true);
    const refused: [Uint8Array, Uint8Array, SignedPayload][] = [
      [other.publicKey, signature, payload],
      [key.publicKey, signature, signedPayload(flipByte(message, 0))],
      [key.publicKey, flipByte(signature, 0), payload],
      [key.publicKey, flipByte(signature, 63), payload],
      [key.publicKey, signature.subarray(0, 63), payload],
      [key.publicKey, concatBytes(signature, Uint8Array.of(0)), payload],
      [key.publicKey.subarray(1), signature, payload],
      [concatBytes(key.publicKey, Uint8Array.of(0)), signature, payload],
      [new Uint8Array(PUBLIC_KEY_LENGTH[type]), signature, payload],
      [new Uint8Array(PUBLIC_KEY_LENGTH[type]).fill(0xff), signature, payload],
      [key.publicKey, new Uint8Array(64), payload],
    ];
    for (const [pub, sig, p] of refused) {
      let result: boolean | undefined;
      expect(() => (result = verifySignature(type, pub, sig, p))).not.toThrow();
      expect(result).toBe(false);
    }
  });

  it("refuses a key of one type presented as another", () => {
    const key = generateKeyPair("secp256k1");
    const signature = signPayload("secp256k1", key.secretKey, payload);
    expect(verifySignature("p256", key.publicKey, signature, payload)).toBe(false);
    expect(verifySignature("ed25519", key.publicKey.subarray(1), signature, payload)).toBe(false);
  });

  it("secp256k1: keys match noble's and its signatures verify with ours", () => {
    const key = generateKeyPair("secp256k1");
    expect(key.publicKey).toEqual(secp.getPublicKey(key.secretKey, true));
    const signature = secp.sign(payload.digest, key.secretKey, { prehash: false });
    expect(verifySignature("secp256k1", key.publicKey, signature, payload)).toBe(true);
  });

  describe("p256 (cross-checked with @noble/curves over the digest)", () => {
    it("derives the same compressed public key", () => {
      const key = generateKeyPair("p256");
      expect(key.publicKey).toEqual(p256.getPublicKey(key.secretKey, true));
      expect(publicKeyOf("p256", key.secretKey)).toEqual(key.publicKey);
    });

    it("verifies noble's signatures with ours and ours with noble", () => {
      const key = generateKeyPair("p256");
      for (let i = 0; i < 8; i++) {
        const p = signedPayload(utf8(`message ${i}`));
        const ours = signPayload("p256", key.secretKey, p);
        expect(p256.verify(ours, p.digest, key.publicKey, { prehash: false })).toBe(true);
        const theirs = p256.sign(p.digest, key.secretKey, { prehash: false, lowS: true });
        expect(verifySignature("p256", key.publicKey, theirs, p)).toBe(true);
      }
    });

    it("always signs low-S (node:crypto's signatures are normalised)", () => {
      const key = generateKeyPair("p256");
      // node:crypto's ECDSA is randomised: half of its raw signatures are high-S.
      for (let i = 0; i < 64; i++) expect(isLowS("p256", signPayload("p256", key.secretKey, payload))).toBe(true);
    });

    it("rejects the high-S form that node:crypto and noble (lowS: false) accept", () => {
      const key = generateKeyPair("p256");
      const signature = signPayload("p256", key.secretKey, payload);
      const malleated = highS(signature, P256_N);
      expect(isLowS("p256", malleated)).toBe(false);
      expect(p256.verify(malleated, payload.digest, key.publicKey, { prehash: false, lowS: false })).toBe(true);
      expect(verifySignature("p256", key.publicKey, malleated, payload)).toBe(false);
    });
  });

  describe("ed25519 (cross-checked with @noble/curves over the digest)", () => {
    it("derives the same public key", () => {
      const key = generateKeyPair("ed25519");
      expect(key.publicKey).toEqual(ed25519.getPublicKey(key.secretKey));
    });

    it("verifies noble's signatures with ours and ours with noble", () => {
      const key = generateKeyPair("ed25519");
      for (let i = 0; i < 8; i++) {
        const p = signedPayload(utf8(`message ${i}`));
        const ours = signPayload("ed25519", key.secretKey, p);
        expect(ours).toEqual(ed25519.sign(p.digest, key.secretKey)); // Ed25519 is deterministic
        expect(ed25519.verify(ours, p.digest, key.publicKey)).toBe(true);
        expect(verifySignature("ed25519", key.publicKey, ed25519.sign(p.digest, key.secretKey), p)).toBe(true);
      }
    });

    it("does not verify over the message instead of the digest", () => {
      const key = generateKeyPair("ed25519");
      const overMessage = ed25519.sign(payload.message, key.secretKey);
      expect(verifySignature("ed25519", key.publicKey, overMessage, payload)).toBe(false);
    });

    it("rejects the malleated form S + L", () => {
      const key = generateKeyPair("ed25519");
      const signature = signPayload("ed25519", key.secretKey, payload);
      const s = toScalar(Uint8Array.from(signature.subarray(32)).reverse()); // little-endian
      const malleated = concatBytes(signature.subarray(0, 32), scalarBytes(s + ED25519_L).reverse());
      expect(verifySignature("ed25519", key.publicKey, malleated, payload)).toBe(false);
    });
  });
});

describe("addressOf", () => {
  it.each(KEY_TYPES)("is the first 20 bytes of SHA-256 of a %s public key", (type: KeyType) => {
    const key = generateKeyPair(type);
    const address = addressOf(key.publicKey);
    expect(address.length).toBe(ADDRESS_LENGTH);
    expect(address).toEqual(nobleSha256(key.publicKey).subarray(0, ADDRESS_LENGTH));
    expect(key.address).toEqual(address);
  });
});

describe("signedPayload", () => {
  it("carries the message and its SHA-256 digest", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (message) => {
        const p = signedPayload(message);
        expect(p.message).toBe(message);
        expect(p.digest).toEqual(nobleSha256(message));
      }),
    );
  });
});

describe("keyPairFromSecret", () => {
  it.each(KEY_TYPES)("rebuilds a generated %s key pair from its secret", (type: KeyType) => {
    const key = generateKeyPair(type);
    const rebuilt = keyPairFromSecret(type, key.secretKey);
    expect(rebuilt).toEqual(key);
    expect(rebuilt.secretKey.length).toBe(32);
    expect(rebuilt.publicKey.length).toBe(PUBLIC_KEY_LENGTH[type]);
  });

  it.each(KEY_TYPES)("throws TypeError for a %s secret that is not 32 bytes", (type: KeyType) => {
    expect(() => keyPairFromSecret(type, new Uint8Array(31))).toThrow(TypeError);
    expect(() => keyPairFromSecret(type, new Uint8Array(33))).toThrow(TypeError);
  });
});

describe("isLowS", () => {
  const ORDERS = {
    secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
    p256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  } as const;
  const scalar = (v: bigint): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, "0"), "hex"));
  const value = (bytes: Uint8Array): bigint => BigInt("0x" + Buffer.from(bytes).toString("hex"));
  // The rule as it is written: 0 < r < n and 0 < s <= n/2.
  const reference = (n: bigint, sig: Uint8Array): boolean => {
    const [r, s] = [value(sig.subarray(0, 32)), value(sig.subarray(32))];
    return r > 0n && r < n && s > 0n && s <= n >> 1n;
  };

  it.each(["secp256k1", "p256"] as const)("agrees with 0 < r < n, 0 < s <= n/2 for %s, at every bound and at random", (type) => {
    const n = ORDERS[type];
    const edges = [0n, 1n, (n >> 1n) - 1n, n >> 1n, (n >> 1n) + 1n, n - 1n, n, n + 1n, (1n << 256n) - 1n];
    for (const r of edges) {
      for (const s of edges) {
        const sig = new Uint8Array([...scalar(r), ...scalar(s)]);
        expect(isLowS(type, sig)).toBe(reference(n, sig));
        // Also as a view at an offset inside a larger buffer, as decoded transactions hold it.
        const inside = new Uint8Array(80);
        inside.set(sig, 7);
        expect(isLowS(type, inside.subarray(7, 71))).toBe(reference(n, sig));
      }
    }
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (sig) => isLowS(type, sig) === reference(n, sig)),
      { numRuns: 2_000, seed: Number(process.env.FC_SEED ?? 1) },
    );
    expect(isLowS(type, new Uint8Array(63))).toBe(false);
  });
});
