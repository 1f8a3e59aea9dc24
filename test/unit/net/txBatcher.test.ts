import { describe, expect, it } from "vitest";
import { encode } from "../../../src/ledger/codec.js";
import { NetLimits } from "../../../src/net/protocols.js";
import { decodeTxBatch, encodeTxBatch, TxBatcher } from "../../../src/net/txBatcher.js";

const tx = (i: number, size = 100): Uint8Array => new Uint8Array(size).fill(i % 256);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("TxBatcher", () => {
  it("publishes what arrives together as one batch, in order", async () => {
    const published: Uint8Array[][] = [];
    const batcher = new TxBatcher({ publish: async (b) => void published.push(decodeTxBatch(b)), flushMs: 10 });
    batcher.add([tx(1), tx(2)]);
    batcher.add([tx(3)]);
    await sleep(50);
    expect(published).toEqual([[tx(1), tx(2), tx(3)]]);
    batcher.close();
  });

  it("splits by count and bytes, and keeps to its rate: the rest waits, nothing is lost under the queue cap", async () => {
    const published: Uint8Array[][] = [];
    const batcher = new TxBatcher({ publish: async (b) => void published.push(decodeTxBatch(b)), flushMs: 1, maxBatchTxs: 10, batchesPerSecond: 20 });
    batcher.add(Array.from({ length: 100 }, (_, i) => tx(i)));
    await sleep(50);
    // 20 a second, starting with a full bucket: the first flush takes all 10 batches at once.
    expect(published.length).toBe(10);
    expect(published.every((b) => b.length === 10)).toBe(true);
    // 20 more batches with the bucket spent: about a second at 20 a second.
    batcher.add(Array.from({ length: 200 }, (_, i) => tx(i)));
    await sleep(300);
    expect(published.length).toBeLessThan(30);
    await sleep(1_500);
    expect(published.flat()).toHaveLength(300);
    batcher.close();
  });

  it("drops the oldest waiting transactions past its queue cap, and counts them", async () => {
    const published: Uint8Array[][] = [];
    const batcher = new TxBatcher({ publish: async (b) => void published.push(decodeTxBatch(b)), flushMs: 1000, maxQueuedBytes: 1_000, maxBatchBytes: 100_000 });
    batcher.add(Array.from({ length: 15 }, (_, i) => tx(i)));
    expect(batcher.stats.dropped).toBe(5);
    batcher.close();
    expect(published).toEqual([]);
  });
});

describe("decodeTxBatch", () => {
  it("takes a list of byte strings and refuses anything else", () => {
    expect(decodeTxBatch(encodeTxBatch([tx(1)]))).toEqual([tx(1)]);
    expect(() => decodeTxBatch(encode([]))).toThrow();
    expect(() => decodeTxBatch(encode([1, 2]))).toThrow();
    expect(() => decodeTxBatch(encode("x"))).toThrow();
    expect(() => decodeTxBatch(new Uint8Array([0xc1]))).toThrow();
    expect(() => decodeTxBatch(encode(Array.from({ length: NetLimits.maxBatchTxs + 1 }, () => new Uint8Array(1))))).toThrow();
  });
});
