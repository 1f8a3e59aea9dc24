import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, equalBytes, toHex } from "../../../src/crypto/bytes.js";
import { sha256, ZERO_HASH } from "../../../src/crypto/hash.js";
import { decode, encode } from "../../../src/ledger/codec.js";
import {
  MemoryNodeStore, readStateProof, SparseMerkleTree, stateProofTuple, verifyStateProof,
  type StateChange, type StateProof, type TreeNodeReader,
} from "../../../src/ledger/smt/index.js";

// ---- reference: the canonical tree, written straight from its definition ----

function bit(path: Uint8Array, depth: number): number {
  return (path[depth >> 3]! >> (7 - (depth & 7))) & 1;
}

/** Root of a set of (path, valueHash): empty → ZERO_HASH, one leaf → that leaf, else an internal node. */
function referenceSubtree(leaves: readonly { path: Uint8Array; valueHash: Uint8Array }[], depth: number): Uint8Array {
  if (leaves.length === 0) return ZERO_HASH;
  if (leaves.length === 1) return sha256(concatBytes(new Uint8Array([0]), leaves[0]!.path, leaves[0]!.valueHash));
  const left = referenceSubtree(leaves.filter((l) => bit(l.path, depth) === 0), depth + 1);
  const right = referenceSubtree(leaves.filter((l) => bit(l.path, depth) === 1), depth + 1);
  return sha256(concatBytes(new Uint8Array([1]), left, right));
}

type Model = Map<string, { key: Uint8Array; value: Uint8Array }>;

function referenceRoot(model: Model): Uint8Array {
  return referenceSubtree([...model.values()].map(({ key, value }) => ({ path: sha256(key), valueHash: sha256(value) })), 0);
}

// ---- builders ----

interface Fixture {
  readonly store: MemoryNodeStore;
  readonly tree: SparseMerkleTree;
}

function fixture(cacheNodes?: number): Fixture {
  const store = new MemoryNodeStore();
  return { store, tree: new SparseMerkleTree(store, cacheNodes === undefined ? {} : { cacheNodes }) };
}

/** Applies the batches in order, persisting every new node; returns each root. */
async function applyBatches(f: Fixture, root: Uint8Array, batches: readonly (readonly StateChange[])[]): Promise<Uint8Array[]> {
  const roots: Uint8Array[] = [];
  for (const batch of batches) {
    const update = await f.tree.update(root, batch);
    f.store.putNodes(update.nodes);
    root = update.root;
    roots.push(root);
  }
  return roots;
}

async function rootOf(f: Fixture, changes: readonly StateChange[]): Promise<Uint8Array> {
  return (await applyBatches(f, ZERO_HASH, [changes]))[0]!;
}

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[(index >> 3) % copy.length]! ^= 0x80 >> (index & 7);
  return copy;
}

const keyArb = fc.uint8Array({ minLength: 0, maxLength: 6 });
const valueArb = fc.uint8Array({ minLength: 0, maxLength: 6 });
const entriesArb = (maxLength: number) =>
  fc.uniqueArray(fc.record({ key: keyArb, value: valueArb }), { selector: (e) => toHex(e.key), maxLength });

/** Splits `items` at the given fractions into consecutive non-empty-or-empty batches. */
function splitAt<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * (items.length + 1))))].sort((a, b) => a - b);
  const batches: T[][] = [];
  let from = 0;
  for (const p of points) {
    batches.push(items.slice(from, p));
    from = Math.max(from, p);
  }
  batches.push(items.slice(from));
  return batches;
}

/** Keys whose paths share their first `bits` bits with the path of `base` (found by search). */
function keysSharingPrefix(base: Uint8Array, bits: number, count: number): Uint8Array[] {
  const target = sha256(base);
  const found: Uint8Array[] = [];
  for (let i = 0; found.length < count; i++) {
    const key = new TextEncoder().encode(`prefix-${i}`);
    const path = sha256(key);
    let same = true;
    for (let d = 0; d < bits && same; d++) same = bit(path, d) === bit(target, d);
    if (same) found.push(key);
  }
  return found;
}

// ---- tests ----

describe("SparseMerkleTree roots", () => {
  it("equal the canonical root of the final set of pairs, for any sequence of batches of sets and deletes", async () => {
    const op = fc.record({ key: fc.integer({ min: 0, max: 30 }), value: fc.option(valueArb, { nil: null }) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uniqueArray(op, { selector: (o) => o.key, maxLength: 12 }), { maxLength: 6 }), fc.boolean(), async (batches, cold) => {
        const f = fixture(cold ? 0 : undefined);
        const model: Model = new Map();
        let root = ZERO_HASH;
        for (const ops of batches) {
          const changes = ops.map((o) => ({ key: new Uint8Array([o.key]), value: o.value }));
          root = (await applyBatches(f, root, [changes]))[0]!;
          for (const c of changes) {
            if (c.value === null) model.delete(toHex(c.key));
            else model.set(toHex(c.key), { key: c.key, value: c.value });
          }
          expect(toHex(root)).toBe(toHex(referenceRoot(model)));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("is independent of insertion order and of how changes are split into batches", async () => {
    await fc.assert(
      fc.asyncProperty(
        entriesArb(40).chain((entries) => fc.tuple(fc.constant(entries), fc.shuffledSubarray(entries, { minLength: entries.length }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }))),
        async ([entries, shuffled, cuts]) => {
          const whole = await rootOf(fixture(), entries);
          const split = await applyBatches(fixture(), ZERO_HASH, splitAt(shuffled, cuts));
          expect(toHex(split[split.length - 1]!)).toBe(toHex(whole));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("deleting keys restores the root without them, and deleting every key gives ZERO_HASH", async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb(40), fc.integer({ min: 0, max: 40 }), async (entries, cut) => {
        const base = entries.slice(0, cut);
        const extra = entries.slice(cut);
        const f = fixture();
        const [baseRoot] = await applyBatches(f, ZERO_HASH, [base]);
        const [withExtra, restored] = await applyBatches(f, baseRoot!, [extra, extra.map((e) => ({ key: e.key, value: null }))]);
        expect(toHex(restored!)).toBe(toHex(baseRoot!));
        if (extra.length > 0) expect(equalBytes(withExtra!, baseRoot!)).toBe(false);
        const [empty] = await applyBatches(f, restored!, [base.map((e) => ({ key: e.key, value: null }))]);
        expect(empty).toEqual(ZERO_HASH);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps a lone leaf at the highest position where it is alone, even for paths sharing a long prefix", async () => {
    const base = new TextEncoder().encode("base");
    const [near1, near2] = keysSharingPrefix(base, 12, 2);
    const value = new Uint8Array([7]);
    const f = fixture();
    const [single] = await applyBatches(f, ZERO_HASH, [[{ key: base, value }]]);
    expect(toHex(single!)).toBe(toHex(sha256(concatBytes(new Uint8Array([0]), sha256(base), sha256(value)))));
    const [three, back] = await applyBatches(f, single!, [
      [{ key: near1!, value }, { key: near2!, value }],
      [{ key: near1!, value: null }, { key: near2!, value: null }],
    ]);
    const model: Model = new Map([base, near1!, near2!].map((key) => [toHex(key), { key, value }]));
    expect(toHex(three!)).toBe(toHex(referenceRoot(model)));
    expect(toHex(back!)).toBe(toHex(single!));
    for (const key of [base, near1!, near2!]) {
      const proof = await f.tree.prove(three!, key);
      expect(proof.siblings.length).toBeGreaterThanOrEqual(1);
      expect(verifyStateProof(three!, key, value, proof)).toBe(true);
    }
  });

  it("rejects a batch naming the same key twice with RangeError", async () => {
    const { tree } = fixture();
    const key = new Uint8Array([1]);
    await expect(tree.update(ZERO_HASH, [{ key, value: key }, { key: key.slice(), value: null }])).rejects.toThrow(RangeError);
    await expect(tree.update(new Uint8Array(31), [])).rejects.toThrow(RangeError);
  });

  it("throws a clear Error when a node of the root is missing from the store", async () => {
    const f = fixture();
    const root = await rootOf(f, [{ key: new Uint8Array([1]), value: new Uint8Array([1]) }, { key: new Uint8Array([2]), value: new Uint8Array([2]) }]);
    const stranger = new SparseMerkleTree(new MemoryNodeStore());
    await expect(stranger.update(root, [{ key: new Uint8Array([3]), value: new Uint8Array([3]) }])).rejects.toThrow(/missing/);
    await expect(stranger.prove(root, new Uint8Array([1]))).rejects.toThrow(/missing/);
  });

  it("caches the nodes it creates, so a follow-up update reads nothing from the store", async () => {
    const store = new MemoryNodeStore();
    let reads = 0;
    const counting: TreeNodeReader = { getNode: (hash) => (reads++, store.getNode(hash)) };
    const tree = new SparseMerkleTree(counting);
    const changes = (from: number, to: number): StateChange[] =>
      Array.from({ length: to - from }, (_, i) => ({ key: new TextEncoder().encode(`k${from + i}`), value: new Uint8Array([i & 0xff]) }));
    const first = await tree.update(ZERO_HASH, changes(0, 500));
    store.putNodes(first.nodes);
    const second = await tree.update(first.root, [...changes(500, 600), ...changes(0, 50).map((c) => ({ key: c.key, value: null }))]);
    store.putNodes(second.nodes);
    expect(reads).toBe(0);
    const cold = new SparseMerkleTree(counting, { cacheNodes: 0 });
    const again = await cold.update(first.root, [...changes(500, 600), ...changes(0, 50).map((c) => ({ key: c.key, value: null }))]);
    expect(reads).toBeGreaterThan(0);
    expect(again.root).toEqual(second.root);
  });
});

describe("state proofs", () => {
  it("are the same, in plain Uint8Arrays, when the store returns Buffers (as level does)", async () => {
    const f = fixture();
    const entries = Array.from({ length: 50 }, (_, i) => ({ key: new Uint8Array([i]), value: new Uint8Array([i, i]) }));
    const root = await rootOf(f, entries);
    const buffers: TreeNodeReader = { getNode: async (hash) => ((e) => (e === undefined ? e : Buffer.from(e)))(await f.store.getNode(hash)) };
    const tree = new SparseMerkleTree(buffers, { cacheNodes: 0 });
    for (const key of [new Uint8Array([3]), new Uint8Array([200])]) {
      const proof = await tree.prove(Buffer.from(root), key);
      expect(proof).toEqual(await f.tree.prove(root, key));
      expect(Object.getPrototypeOf(proof.siblings[0])).toBe(Uint8Array.prototype);
    }
  });


  it("prove membership of every key and absence of other keys, for random key sets", async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb(30), fc.uniqueArray(keyArb, { maxLength: 5, selector: toHex }), async (entries, probes) => {
        const f = fixture();
        const root = await rootOf(f, entries);
        const present = new Map(entries.map((e) => [toHex(e.key), e.value]));
        for (const { key, value } of entries) {
          const proof = await f.tree.prove(root, key);
          expect(verifyStateProof(root, key, value, proof)).toBe(true);
          expect(verifyStateProof(root, key, null, proof)).toBe(false);
          expect(verifyStateProof(root, key, concatBytes(value, new Uint8Array([0])), proof)).toBe(false);
        }
        for (const key of probes.filter((k) => !present.has(toHex(k)))) {
          const proof = await f.tree.prove(root, key);
          expect(verifyStateProof(root, key, null, proof)).toBe(true);
          expect(verifyStateProof(root, key, new Uint8Array(0), proof)).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("fail when a sibling, the bitmap, the value, the key or the leaf is tampered with", async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb(30), keyArb, fc.nat(), async (entries, probe, flip) => {
        fc.pre(entries.length > 0);
        const f = fixture();
        const root = await rootOf(f, entries);
        const model: Model = new Map(entries.map((e) => [toHex(e.key), e]));
        const { key, value } = entries[flip % entries.length]!;
        const member = await f.tree.prove(root, key);
        for (const proof of tamperedProofs(member, flip)) expect(verifyStateProof(root, key, value, proof)).toBe(false);
        expect(verifyStateProof(root, key, flipBit(value.length > 0 ? value : new Uint8Array(1), flip), member)).toBe(false);
        expect(verifyStateProof(root, flipBit(key.length > 0 ? key : new Uint8Array(1), flip), value, member)).toBe(false);
        expect(verifyStateProof(flipBit(root, flip), key, value, member)).toBe(false);

        if (model.has(toHex(probe))) return;
        const absent = await f.tree.prove(root, probe);
        for (const proof of tamperedProofs(absent, flip)) expect(verifyStateProof(root, probe, null, proof)).toBe(false);
        // Another key may share the proven path prefix: a proof may then also show that key's
        // absence, which must be true.
        const other = flipBit(probe.length > 0 ? probe : new Uint8Array(1), flip);
        if (verifyStateProof(root, other, null, absent)) expect(model.has(toHex(other))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it("against an older root still verify after later updates", async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb(20), entriesArb(20), async (before, after) => {
        const f = fixture();
        const [oldRoot, newRoot] = await applyBatches(f, ZERO_HASH, [before, [...after.filter((a) => !before.some((b) => equalBytes(a.key, b.key))), ...before.map((b) => ({ key: b.key, value: null }))]]);
        for (const { key, value } of before) {
          expect(verifyStateProof(oldRoot!, key, value, await f.tree.prove(oldRoot!, key))).toBe(true);
          if (!after.some((a) => equalBytes(a.key, key))) expect(verifyStateProof(newRoot!, key, null, await f.tree.prove(newRoot!, key))).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("round-trip through the canonical codec as tuples", async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb(30), keyArb, async (entries, probe) => {
        const f = fixture();
        const root = await rootOf(f, entries);
        for (const key of [probe, ...entries.slice(0, 3).map((e) => e.key)]) {
          const proof = await f.tree.prove(root, key);
          const read = readStateProof(decode(encode(stateProofTuple(proof))));
          expect(read).toEqual(proof);
          const value = entries.find((e) => equalBytes(e.key, key))?.value ?? null;
          expect(verifyStateProof(root, key, value, read)).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("read malformed tuples as MALFORMED", () => {
    const hash = new Uint8Array(32);
    const cases = [
      [new Uint8Array(31), [], null],
      [new Uint8Array(32), [new Uint8Array(31)], null],
      [new Uint8Array(32), new Array(257).fill(hash), null],
      [new Uint8Array(32), [], [hash]],
      [new Uint8Array(32), [], [hash, new Uint8Array(33)]],
      [new Uint8Array(32), []],
      "proof",
    ];
    for (const value of cases) expect(() => readStateProof(value)).toThrow(expect.objectContaining({ code: "MALFORMED" }));
  });

  it("verify to false, never throwing, on malformed input", async () => {
    const f = fixture();
    const key = new Uint8Array([1]);
    const root = await rootOf(f, [{ key, value: key }, { key: new Uint8Array([2]), value: key }]);
    const good = await f.tree.prove(root, key);
    const bad: unknown[] = [
      null, undefined, 7, {}, { ...good, bitmap: new Uint8Array(31) }, { ...good, siblings: null },
      { ...good, siblings: [...good.siblings, ZERO_HASH] }, { ...good, siblings: ["x"] }, { ...good, leaf: 5 },
      { ...good, leaf: { path: new Uint8Array(32), valueHash: null } },
      { ...good, siblings: good.siblings.map(() => ZERO_HASH) },
      { get bitmap(): Uint8Array { throw new Error("getter"); }, siblings: [], leaf: null },
    ];
    for (const proof of bad) expect(verifyStateProof(root, key, key, proof as StateProof)).toBe(false);
    expect(verifyStateProof(new Uint8Array(31), key, key, good)).toBe(false);
    expect(verifyStateProof(root, "key" as unknown as Uint8Array, key, good)).toBe(false);
    expect(verifyStateProof(root, key, 5 as unknown as Uint8Array, good)).toBe(false);
  });

  it("reject an absence proof whose leaf lies off the key's path, even under a root built to match it", () => {
    const keyOf = (first: number): Uint8Array => {
      for (let i = 0; ; i++) {
        const key = new TextEncoder().encode(`off-${i}`);
        if (bit(sha256(key), 0) === first) return key;
      }
    };
    const probe = keyOf(0);
    const other = sha256(keyOf(1));
    const valueHash = sha256(new Uint8Array([1]));
    const sibling = sha256(new Uint8Array([2]));
    const misplaced = sha256(concatBytes(new Uint8Array([0]), other, valueHash));
    const root = sha256(concatBytes(new Uint8Array([1]), misplaced, sibling));
    const bitmap = new Uint8Array(32);
    bitmap[0] = 0x80;
    expect(verifyStateProof(root, probe, null, { bitmap, siblings: [sibling], leaf: { path: other, valueHash } })).toBe(false);
  });

  it("of the empty tree show every key absent", async () => {
    const { tree } = fixture();
    const proof = await tree.prove(ZERO_HASH, new Uint8Array([9]));
    expect(proof).toEqual({ bitmap: new Uint8Array(32), siblings: [], leaf: null });
    expect(verifyStateProof(ZERO_HASH, new Uint8Array([9]), null, proof)).toBe(true);
    expect(verifyStateProof(ZERO_HASH, new Uint8Array([9]), new Uint8Array(0), proof)).toBe(false);
  });
});

/** Every single-bit corruption of a proof's parts that keeps its structure. */
function tamperedProofs(proof: StateProof, seed: number): StateProof[] {
  const out: StateProof[] = [];
  out.push({ ...proof, bitmap: flipBit(proof.bitmap, seed % 256) });
  if (proof.siblings.length > 0) {
    const i = seed % proof.siblings.length;
    out.push({ ...proof, siblings: proof.siblings.map((s, j) => (j === i ? flipBit(s, seed) : s)) });
    out.push({ ...proof, siblings: proof.siblings.slice(1), bitmap: proof.bitmap });
  }
  if (proof.leaf !== null) {
    out.push({ ...proof, leaf: { ...proof.leaf, path: flipBit(proof.leaf.path, seed) } });
    out.push({ ...proof, leaf: { ...proof.leaf, valueHash: flipBit(proof.leaf.valueHash, seed) } });
    out.push({ ...proof, leaf: null });
  } else {
    out.push({ ...proof, leaf: { path: new Uint8Array(32).fill(seed & 0xff), valueHash: new Uint8Array(32) } });
  }
  return out;
}
