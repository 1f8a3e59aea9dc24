// The state overlay's codec path and the memoised head: a value written through a codec is
// encoded only when its bytes are needed, reads back as written, reverts with its checkpoint;
// a MemoState reads each key of its base once.
import { describe, expect, it } from "vitest";
import { decodeTrusted, encode } from "../../../src/ledger/codec.js";
import { MemoState, readState, StateCodec, StateOverlay, type StateReader } from "../../../src/contracts/state.js";

interface Pair {
  readonly a: number;
  readonly b: string;
}

/** A codec of [a, b] tuples that counts its encodes and decodes. */
function countingCodec() {
  const counts = { encodes: 0, decodes: 0 };
  const codec = new StateCodec<Pair>(
    (p) => {
      counts.encodes++;
      return encode([p.a, p.b]);
    },
    (bytes) => {
      counts.decodes++;
      const [a, b] = decodeTrusted(bytes) as [number, string];
      return { a, b };
    },
  );
  return { codec, counts };
}

/** A base state over a map, counting its reads. */
function mapState(entries: Array<[Uint8Array, Uint8Array]> = []) {
  const values = new Map(entries.map(([k, v]) => [Buffer.from(k).toString("hex"), v]));
  const reads: string[] = [];
  const state: StateReader = {
    get: async (key) => {
      const k = Buffer.from(key).toString("hex");
      reads.push(k);
      return values.get(k);
    },
  };
  return { state, reads };
}

const KEY = Uint8Array.of(1, 2, 3);
const OTHER = Uint8Array.of(1, 2, 4);

describe("StateOverlay with codecs", () => {
  it("encodes a value put through a codec only when its bytes are asked for, once", async () => {
    const { codec, counts } = countingCodec();
    const overlay = new StateOverlay(mapState().state);
    overlay.put(KEY, { a: 1, b: "x" }, codec);
    overlay.put(KEY, { a: 2, b: "y" }, codec);
    expect(await readState(overlay, KEY, codec)).toEqual({ a: 2, b: "y" });
    expect(counts.encodes).toBe(0);

    const changes = overlay.changes();
    expect(changes).toEqual([{ key: KEY, value: encode([2, "y"]) }]);
    expect(counts.encodes).toBe(1);
    expect(await overlay.get(KEY)).toBe(changes[0]!.value);
    expect(counts.encodes).toBe(1);
  });

  it("hands back the very value written through the same codec, and decodes raw bytes once per array", async () => {
    const { codec, counts } = countingCodec();
    const stored = encode([7, "base"]);
    const overlay = new StateOverlay(mapState([[OTHER, stored]]).state);
    const written = { a: 3, b: "w" };
    overlay.put(KEY, written, codec);
    expect(await overlay.read(KEY, codec)).toBe(written);

    expect(await overlay.read(OTHER, codec)).toEqual({ a: 7, b: "base" });
    expect(await overlay.read(OTHER, codec)).toEqual({ a: 7, b: "base" });
    expect(counts.decodes).toBe(1);

    overlay.set(KEY, encode([4, "raw"]));
    expect(await overlay.read(KEY, codec)).toEqual({ a: 4, b: "raw" });
    overlay.delete(KEY);
    expect(await overlay.read(KEY, codec)).toBeUndefined();
    expect(await overlay.get(KEY)).toBeUndefined();
  });

  it("reverts a put with its checkpoint, keeping what was written before", async () => {
    const { codec } = countingCodec();
    const overlay = new StateOverlay(mapState().state);
    overlay.put(KEY, { a: 1, b: "kept" }, codec);
    overlay.checkpoint();
    overlay.put(KEY, { a: 2, b: "reverted" }, codec);
    overlay.put(OTHER, { a: 3, b: "reverted" }, codec);
    overlay.revertCheckpoint();
    expect(await overlay.read(KEY, codec)).toEqual({ a: 1, b: "kept" });
    expect(await overlay.read(OTHER, codec)).toBeUndefined();
    expect(overlay.changes()).toEqual([{ key: KEY, value: encode([1, "kept"]) }]);
  });
});

describe("MemoState", () => {
  it("reads each key of its base once, absent keys included, through an overlay too", async () => {
    const { codec } = countingCodec();
    const head = encode([1, "head"]);
    const { state, reads } = mapState([[KEY, head]]);
    const memo = new MemoState(state);
    expect(await readState(memo, KEY, codec)).toEqual({ a: 1, b: "head" });
    expect(await memo.get(OTHER)).toBeUndefined();
    const overlay = new StateOverlay(memo);
    expect(await overlay.read(KEY, codec)).toEqual({ a: 1, b: "head" });
    expect(await overlay.get(OTHER)).toBeUndefined();
    expect(await new StateOverlay(memo).get(KEY)).toBe(head);
    expect(reads).toEqual([Buffer.from(KEY).toString("hex"), Buffer.from(OTHER).toString("hex")]);
  });
});
