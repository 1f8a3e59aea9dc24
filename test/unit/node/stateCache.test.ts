import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { attemptNow, MemoState, NotAtHand, query, readState, StateCodec, StateOverlay } from "../../../src/contracts/state.js";
import { ChainStore } from "../../../src/ledger/storage/chainStore.js";
import { StateCache } from "../../../src/node/stateCache.js";
import { removeDir, tempDir } from "../../fixtures/tmp.js";

const KEY = Uint8Array.of(0x01, 0x61, 0x62);
const OLD = Uint8Array.of(1);
const NEW = Uint8Array.of(2);

/** A codec that counts its decodes: a value read from the cache is decoded once per byte array. */
function countingCodec(): { codec: StateCodec<number>; decodes: () => number } {
  let decodes = 0;
  const codec = new StateCodec<number>(
    (n) => Uint8Array.of(n),
    (bytes) => {
      decodes++;
      if (bytes.length !== 1) throw new RangeError("not one byte");
      return bytes[0] as number;
    },
  );
  return { codec, decodes: () => decodes };
}

describe("StateCache", () => {
  let dir: string;
  let store: ChainStore;

  beforeEach(async () => {
    dir = await tempDir();
    store = await ChainStore.open(dir);
  });
  afterEach(async () => {
    await store.close();
    await removeDir(dir);
  });

  it("keeps a block's value when a database read that started before the block ends after it", async () => {
    // The real store, with one read held until the block is applied (as a slow disk would).
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = {
      async stateValue(key: Uint8Array): Promise<Uint8Array | undefined> {
        const value = await store.stateValue(key);
        await gate;
        return value;
      },
    };
    const cache = new StateCache(slow);
    const before = cache.get(KEY);
    cache.apply([{ key: KEY, value: NEW }]);
    release();
    expect(await before).toBeUndefined(); // the read saw the state before the block
    expect(await cache.get(KEY)).toEqual(NEW);
    expect(cache.peek(String.fromCharCode(...KEY))).toEqual(NEW);
  });

  it("hands cached bytes to reads without waiting, decoded once, and reads the database on a miss", async () => {
    const cache = new StateCache(store);
    const { codec, decodes } = countingCodec();
    const k = String.fromCharCode(...KEY);
    expect(cache.peek(k)).toBeUndefined();
    expect(attemptNow(() => new MemoState(cache).get(KEY))).toBeInstanceOf(NotAtHand); // not at hand
    expect(await query(cache, (view) => readState(view, KEY, codec))).toBeUndefined(); // a miss: read from level
    expect(cache.peek(k)).toBeNull(); // now known absent
    cache.apply([{ key: KEY, value: OLD }]);
    expect(readState(new MemoState(cache), KEY, codec)).toBe(1);
    expect(readState(StateOverlay.over(cache), KEY, codec)).toBe(1);
    expect(new MemoState(cache).get(KEY)).toEqual(OLD);
    expect(decodes()).toBe(1);
  });

  it("gives a memo one value per key for its whole life, even when a block changes the cache under it", () => {
    const cache = new StateCache(store);
    const { codec } = countingCodec();
    cache.apply([{ key: KEY, value: OLD }]);
    const memo = new MemoState(cache);
    expect(readState(memo, KEY, codec)).toBe(1);
    cache.apply([{ key: KEY, value: NEW }]);
    expect(memo.get(KEY)).toEqual(OLD);
    expect(readState(memo, KEY, codec)).toBe(1);
    expect(readState(new MemoState(cache), KEY, codec)).toBe(2);
  });

  it("turns a value that does not decode into a thrown read, and a rejected query", async () => {
    const cache = new StateCache(store);
    const { codec } = countingCodec();
    cache.apply([{ key: KEY, value: Uint8Array.of(1, 2) }]);
    expect(() => readState(new MemoState(cache), KEY, codec)).toThrow("not one byte");
    await expect(query(cache, (view) => readState(view, KEY, codec))).rejects.toThrow("not one byte");
  });
});
