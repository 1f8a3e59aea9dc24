import { describe, expect, it } from "vitest";
import { concatBytes, equalBytes } from "../../../src/crypto/bytes.js";
import { sha256, ZERO_HASH } from "../../../src/crypto/hash.js";
import { decode, encode } from "../../../src/ledger/codec.js";
import {
  merkleProof, merkleProofTuple, merkleRoot, readMerkleProof, verifyMerkleProof, type MerkleProof,
} from "../../../src/ledger/merkle.js";

/** RFC 6962 §2.1, written as the RFC states it. */
function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return ZERO_HASH;
  if (leaves.length === 1) return sha256(concatBytes(new Uint8Array([0]), leaves[0]!));
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(concatBytes(new Uint8Array([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k))));
}

function hashes(n: number, seed = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => sha256(new Uint8Array([seed, i & 0xff, i >> 8])));
}

/** The side of each sibling, leaf level first, in a list of n leaves (RFC 6962's split). */
function pathShape(index: number, n: number): string {
  if (n === 1) return "";
  let k = 1;
  while (k * 2 < n) k *= 2;
  return index < k ? pathShape(index, k) + "R" : pathShape(index - k, n - k) + "L";
}

function flipBit(bytes: Uint8Array, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3]! ^= 0x80 >> (bit & 7);
  return copy;
}

describe("merkleRoot", () => {
  it("matches the RFC 6962 definition for 0..33 leaves", () => {
    for (let n = 0; n <= 33; n++) {
      const leaves = hashes(n);
      expect(equalBytes(merkleRoot(leaves), referenceRoot(leaves)), `n=${n}`).toBe(true);
    }
  });

  it("hashes the empty list to ZERO_HASH", () => {
    expect(merkleRoot([])).toEqual(ZERO_HASH);
  });

  it("depends on the order of the leaves", () => {
    const leaves = hashes(5);
    expect(equalBytes(merkleRoot(leaves), merkleRoot([...leaves].reverse()))).toBe(false);
  });

  it("rejects leaves that are not 32 bytes with RangeError", () => {
    expect(() => merkleRoot([new Uint8Array(31)])).toThrow(RangeError);
  });
});

describe("merkleProof", () => {
  it("verifies for every leaf of every list of 1..33 leaves", () => {
    for (let n = 1; n <= 33; n++) {
      const leaves = hashes(n);
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        expect(verifyMerkleProof(root, leaves[i]!, merkleProof(leaves, i)), `n=${n} i=${i}`).toBe(true);
      }
    }
  });

  it("rejects an index outside the list with RangeError", () => {
    expect(() => merkleProof(hashes(3), 3)).toThrow(RangeError);
    expect(() => merkleProof([], 0)).toThrow(RangeError);
  });

  it("fails verification when a sibling, the index or the leaf is tampered with", () => {
    for (let n = 2; n <= 33; n++) {
      const leaves = hashes(n);
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(leaves, i);
        const leaf = leaves[i]!;
        for (let s = 0; s < proof.siblings.length; s++) {
          const siblings = proof.siblings.map((x, j) => (j === s ? flipBit(x, 255) : x));
          expect(verifyMerkleProof(root, leaf, { ...proof, siblings })).toBe(false);
        }
        expect(verifyMerkleProof(root, leaf, { ...proof, index: (i + 1) % n })).toBe(false);
        expect(verifyMerkleProof(root, flipBit(leaf, 7), proof)).toBe(false);
        expect(verifyMerkleProof(root, leaf, { ...proof, siblings: proof.siblings.slice(1) })).toBe(false);
        expect(verifyMerkleProof(root, leaf, { ...proof, siblings: [...proof.siblings, ZERO_HASH] })).toBe(false);
      }
    }
  });

  it("binds the total only through the path's shape: a tampered total fails unless the shape is unchanged", () => {
    let rejected = 0;
    for (let n = 1; n <= 33; n++) {
      const leaves = hashes(n);
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(leaves, i);
        for (const total of [n - 1, n + 1, 2 * n, 0]) {
          const sameShape = i < total && pathShape(i, total) === pathShape(i, n);
          expect(verifyMerkleProof(root, leaves[i]!, { ...proof, total }), `n=${n} i=${i} total=${total}`).toBe(sameShape);
          if (!sameShape) rejected++;
        }
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });

  it("accepts the same path under another (index, total) of the same shape, so the total must come from a trusted source", () => {
    const leaves = hashes(5);
    const proof = merkleProof(leaves, 4);
    expect(verifyMerkleProof(merkleRoot(leaves), leaves[4]!, { ...proof, index: 2, total: 3 })).toBe(true);
  });

  it("returns false instead of throwing on malformed input", () => {
    const leaves = hashes(4);
    const root = merkleRoot(leaves);
    const good = merkleProof(leaves, 1);
    const bad: unknown[] = [
      null, {}, { ...good, index: -1 }, { ...good, index: 1.5 }, { ...good, total: Number.MAX_SAFE_INTEGER + 2 },
      { ...good, siblings: null }, { ...good, siblings: [new Uint8Array(31), good.siblings[1]] }, { ...good, siblings: ["x", 1] },
    ];
    for (const proof of bad) expect(verifyMerkleProof(root, leaves[1]!, proof as MerkleProof)).toBe(false);
    expect(verifyMerkleProof(new Uint8Array(31), leaves[1]!, good)).toBe(false);
    expect(verifyMerkleProof(root, new Uint8Array(33), good)).toBe(false);
  });

  it("round-trips through the canonical codec", () => {
    const leaves = hashes(13);
    const proof = merkleProof(leaves, 9);
    const read = readMerkleProof(decode(encode(merkleProofTuple(proof))));
    expect(read).toEqual(proof);
    expect(verifyMerkleProof(merkleRoot(leaves), leaves[9]!, read)).toBe(true);
  });

  it("reads malformed proof tuples as MALFORMED", () => {
    const cases = [[1, 2], [1, 2, [new Uint8Array(31)]], [-1, 2, []], [1, 2, new Array(65).fill(ZERO_HASH)], [1, "2", []]];
    for (const value of cases) expect(() => readMerkleProof(value)).toThrow(expect.objectContaining({ code: "MALFORMED" }));
  });
});
