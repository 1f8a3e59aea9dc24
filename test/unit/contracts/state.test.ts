// The state overlay's codec path and the memoised head: a value written through a codec is
// encoded only when its bytes are needed, reads back as written, reverts with its checkpoint;
// a MemoState reads each key of its base once; a read not at hand throws NotAtHand, and
// settle fetches it and runs the attempt again from its start.
import { describe, expect, it } from "vitest";
import { decodeTrusted, encode } from "../../../src/ledger/codec.js";
import { attemptNow, MemoState, NotAtHand, query, readState, settle, StateCodec, StateOverlay, type StateReader, type StateView } from "../../../src/contracts/state.js";

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
    const overlay = StateOverlay.over(mapState().state);
    overlay.put(KEY, { a: 1, b: "x" }, codec);
    overlay.put(KEY, { a: 2, b: "y" }, codec);
    expect(readState(overlay, KEY, codec)).toEqual({ a: 2, b: "y" });
    expect(counts.encodes).toBe(0);

    const changes = overlay.changes();
    expect(changes).toEqual([{ key: KEY, value: encode([2, "y"]) }]);
    expect(counts.encodes).toBe(1);
    expect(overlay.get(KEY)).toBe(changes[0]!.value);
    expect(counts.encodes).toBe(1);
  });

  it("hands back the very value written through the same codec, and decodes raw bytes once per array", async () => {
    const { codec, counts } = countingCodec();
    const stored = encode([7, "base"]);
    const overlay = StateOverlay.over(mapState([[OTHER, stored]]).state);
    const written = { a: 3, b: "w" };
    overlay.put(KEY, written, codec);
    expect(overlay.read(KEY, codec)).toBe(written);

    expect(await settle(overlay, () => overlay.read(OTHER, codec))).toEqual({ a: 7, b: "base" });
    expect(overlay.read(OTHER, codec)).toEqual({ a: 7, b: "base" });
    expect(counts.decodes).toBe(1);

    overlay.set(KEY, encode([4, "raw"]));
    expect(overlay.read(KEY, codec)).toEqual({ a: 4, b: "raw" });
    overlay.delete(KEY);
    expect(overlay.read(KEY, codec)).toBeUndefined();
    expect(overlay.get(KEY)).toBeUndefined();
  });

  it("reverts a put with its checkpoint, keeping what was written before", async () => {
    const { codec } = countingCodec();
    const overlay = StateOverlay.over(mapState().state);
    overlay.put(KEY, { a: 1, b: "kept" }, codec);
    overlay.checkpoint();
    overlay.put(KEY, { a: 2, b: "reverted" }, codec);
    overlay.put(OTHER, { a: 3, b: "reverted" }, codec);
    overlay.revertCheckpoint();
    expect(overlay.read(KEY, codec)).toEqual({ a: 1, b: "kept" });
    expect(await settle(overlay, () => overlay.read(OTHER, codec))).toBeUndefined();
    expect(overlay.changes()).toEqual([{ key: KEY, value: encode([1, "kept"]) }]);
  });
});

describe("MemoState", () => {
  it("reads each key of its base once, absent keys included, through an overlay too", async () => {
    const { codec } = countingCodec();
    const head = encode([1, "head"]);
    const { state, reads } = mapState([[KEY, head]]);
    const memo = new MemoState(state);
    expect(await settle(memo, () => readState(memo, KEY, codec))).toEqual({ a: 1, b: "head" });
    expect(await settle(memo, () => memo.get(OTHER))).toBeUndefined();
    const overlay = new StateOverlay(memo);
    expect(overlay.read(KEY, codec)).toEqual({ a: 1, b: "head" });
    expect(overlay.get(OTHER)).toBeUndefined();
    expect(new StateOverlay(memo).get(KEY)).toBe(head);
    expect(reads).toEqual([Buffer.from(KEY).toString("hex"), Buffer.from(OTHER).toString("hex")]);
  });

  it("throws NotAtHand with the key for a read it must fetch first, and takes what its base has at hand without a fetch", async () => {
    const { state, reads } = mapState([[KEY, encode([1, "x"])]]);
    const memo = new MemoState(state);
    const miss = attemptNow(() => memo.get(KEY));
    expect(miss).toBeInstanceOf(NotAtHand);
    expect((miss as NotAtHand).key).toEqual(KEY);
    await memo.fetch([KEY]);
    expect(memo.get(KEY)).toEqual(encode([1, "x"]));

    const peeking: StateReader = { get: () => Promise.reject(new Error("no fetch expected")), peek: (k) => (k === String.fromCharCode(...OTHER) ? null : undefined) };
    expect(new MemoState(peeking).get(OTHER)).toBeUndefined();
    expect(reads).toEqual([Buffer.from(KEY).toString("hex")]);
  });
});

describe("settle", () => {
  it("scouts: one run finds every key it needs that is not at hand, they are fetched together, and only a run with all at hand counts", async () => {
    const { codec } = countingCodec();
    const { state, reads } = mapState([
      [KEY, encode([1, "first"])],
      [OTHER, encode([2, "second"])],
    ]);
    const overlay = StateOverlay.over(state);
    let runs = 0;
    const result = await settle(
      overlay,
      () => {
        runs++;
        overlay.put(Uint8Array.of(9), { a: runs, b: "written" }, codec);
        return (overlay.read(KEY, codec)?.a ?? 0) + (overlay.read(OTHER, codec)?.a ?? 0);
      },
      undefined,
      overlay,
    );
    expect(result).toBe(3);
    expect(runs).toBe(2);
    expect(reads).toEqual([Buffer.from(KEY).toString("hex"), Buffer.from(OTHER).toString("hex")]);
    // Only the run that counted left its write: the scouting run's was undone.
    expect(overlay.changes().map((c) => c.key)).toEqual([Uint8Array.of(9)]);
    expect(overlay.read(Uint8Array.of(9), codec)).toEqual({ a: 2, b: "written" });
  });

  it("runs once more for each key that only a fetched value names, and throws away what a guessed run threw", async () => {
    const { codec } = countingCodec();
    const pointer = Uint8Array.of(7);
    // KEY's value names the next key to read (OTHER): a scouting run that reads KEY as absent cannot know it.
    const { state, reads } = mapState([
      [KEY, encode([4, "07"])],
      [OTHER, encode([5, "end"])],
      [pointer, encode([6, "x"])],
    ]);
    const memo = new MemoState(state);
    let runs = 0;
    const result = await settle(memo, () => {
      runs++;
      const first = readState(memo, KEY, codec);
      if (first === undefined) throw new TypeError("KEY absent: only a guess can see this");
      const next = readState(memo, first.b === "07" ? OTHER : pointer, codec);
      return first.a + (next?.a ?? 0);
    });
    expect(result).toBe(9);
    expect(runs).toBe(3);
    expect(reads).toEqual([Buffer.from(KEY).toString("hex"), Buffer.from(OTHER).toString("hex")]);
  });

  it("passes on what a run with every read at hand throws, and says so when a fetch leaves its key missing", async () => {
    const { state } = mapState();
    await expect(
      settle(new MemoState(state), () => {
        throw new TypeError("a bug");
      }),
    ).rejects.toThrow("a bug");
    let misses: Map<string, Uint8Array> | undefined;
    const miss = (key: Uint8Array): never | null => {
      if (misses === undefined) throw new NotAtHand(key);
      misses.set(Buffer.from(key).toString("latin1"), key);
      return null;
    };
    const broken: StateView = {
      bytesById: (_k, key) => miss(key),
      get: (key) => miss(key) ?? undefined,
      read: (key) => miss(key) ?? undefined,
      fetch: () => Promise.resolve(),
      scout: (m) => void (misses = m),
    };
    await expect(settle(broken, () => broken.get(KEY))).rejects.toThrow("missed again after its fetch");
  });

  it("query answers a read-only question of committed state", async () => {
    const { codec } = countingCodec();
    const { state } = mapState([[KEY, encode([5, "q"])]]);
    expect(await query(state, (view) => readState(view, KEY, codec)?.a)).toBe(5);
  });
});
