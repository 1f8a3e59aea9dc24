import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Encodable } from "../../../src/ledger/codec.js";
import type { Receipt } from "../../../src/ledger/receipt.js";
import { ChainStore } from "../../../src/ledger/storage/chainStore.js";
import { anomaliesFrom, anomaliesOf, lastReadingOf, readingIndexEntries, readingsOf } from "../../../src/node/readingIndex.js";
import { makeGenesis, openChain, removeDir, tempDir } from "../../fixtures/chain.js";

/** A receipt event exactly as the readings contract documents it (src/contracts/modules/readings/findings.ts). */
function readingEvent(device: string, seq: number, status: "ok" | "failed", findings: Array<[string, string, number, number]> = []) {
  const attributes: Array<[string, Encodable]> = [
    ["device", device], ["seq", seq], ["ts", 1_000 * seq], ["status", status], ["code", status === "ok" ? "" : "HARD_VIOLATION"],
    ["profile", "air"], ["version", 1], ["values", [["co", seq / 2]]], ["findings", findings],
  ];
  return { type: "reading", attributes };
}

function receipt(...events: ReturnType<typeof readingEvent>[]): Receipt {
  return { status: "ok", code: "", events, fee: 1n };
}

describe("readings index", () => {
  let dir: string;
  let store: ChainStore;

  beforeEach(async () => {
    dir = await tempDir();
    const open = await openChain(makeGenesis().genesis, dir);
    await open.close();
    store = await ChainStore.open(join(dir, "db"));
  });
  afterEach(async () => {
    await store.close();
    await removeDir(dir);
  });

  async function commit(height: number, receipts: Receipt[]): Promise<void> {
    const block = (await store.block(0))!;
    await store.commitBlock({
      block: { ...block, header: { ...block.header, height } },
      hash: new Uint8Array(32).fill(height),
      receipts,
      stateChanges: [],
      treeNodes: [],
      commits: [],
      finalizedHeight: height,
      indexes: readingIndexEntries(height, receipts),
    });
  }

  it("serves accepted readings by device and seq, skips rejected ones, and keeps devices apart", async () => {
    await commit(1, [receipt(readingEvent("st-1", 1, "ok"), readingEvent("st-1", 2, "failed"), readingEvent("st-10", 1, "ok"))]);
    await commit(2, [receipt(readingEvent("st-1", 3, "ok", [["OUT_OF_RANGE", "co", 99, 50]]))]);
    expect((await readingsOf(store, "st-1", 0, 10)).map((r) => [r.seq, r.height, r.index])).toEqual([[1, 1, 0], [3, 2, 0]]);
    expect((await readingsOf(store, "st-1", 2, 10)).map((r) => r.seq)).toEqual([3]);
    expect((await readingsOf(store, "st-10", 0, 10)).map((r) => r.seq)).toEqual([1]);
    expect((await lastReadingOf(store, "st-1"))?.seq).toBe(3);
    expect(await lastReadingOf(store, "st-2")).toBeUndefined();
  });

  it("serves flagged readings per device, newest first, and across the chain by height", async () => {
    const flag: Array<[string, string, number, number]> = [["DRIFT", "co", 9, 3]];
    await commit(1, [receipt(readingEvent("a", 1, "ok", flag)), receipt(readingEvent("b", 1, "ok", flag))]);
    await commit(2, [receipt(readingEvent("a", 2, "ok", flag), readingEvent("a", 3, "ok"))]);
    expect((await anomaliesOf(store, "a", 10)).map((r) => [r.seq, r.height])).toEqual([[2, 2], [1, 1]]);
    expect((await anomaliesFrom(store, 0, 10)).map((r) => [r.deviceId, r.height, r.txIndex])).toEqual([["a", 1, 0], ["b", 1, 1], ["a", 2, 0]]);
    expect((await anomaliesFrom(store, 2, 10)).map((r) => r.findings)).toEqual([[{ code: "DRIFT", metric: "co", value: 9, bound: 3 }]]);
  });
});
