import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRegistry } from "../../../src/contracts/index.js";
import { BlockErrorCode } from "../../../src/contracts/errors.js";
import { VerifiedCache } from "../../../src/inspect/verifiedCache.js";
import { VerifyPool } from "../../../src/inspect/verifyPool.js";
import { ChainStore } from "../../../src/ledger/storage/chainStore.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { Chain } from "../../../src/node/chain.js";
import { makeGenesis, makeTransfer, openChain, removeDir, silentLogger, tempDir } from "../../fixtures/chain.js";

describe("signatures verified once, in parallel, for block import", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("a follower that trusts only its cache imports a block because its signatures were verified on the pool first, and still refuses a forged one", async () => {
    const t = makeGenesis({ accounts: 20 });
    const producerDir = await tempDir();
    const followerDir = await tempDir();
    const producer = await openChain(t.genesis, producerDir);
    const txs = t.accounts.map((key) => makeTransfer(t.genesis, key, t.accounts[0]!, 1n, { nonce: 0 }));
    const { block } = await producer.chain.produceAndCommit(t.validatorKeys[0]!, txs, Date.now());
    const commit = await producer.store.commit(1);

    const pool = new VerifyPool({ size: 1, minParallelBatch: 1 });
    pool.start();
    expect(await pool.waitReady()).toBe(1);
    const cache = new VerifiedCache(1_000);
    const store = await ChainStore.open(join(followerDir, "db"));
    const follower = await Chain.open(
      { store, genesis: t.genesis, registry: createRegistry(), logger: silentLogger, verifyTx: (tx) => cache.has(tx), preverify: (list) => cache.verifyAll(list, pool) },
      { maxClockSkewMs: 5_000 },
    );
    cleanups.push(async () => {
      await follower.idle();
      await store.close();
      await producer.close();
      await pool.stop();
      await removeDir(producerDir);
      await removeDir(followerDir);
    });

    const forged = new Uint8Array(block.txs[3]!.signature);
    forged[9]! ^= 1;
    const tampered = { ...block, txs: block.txs.map((tx, i) => (i === 3 ? { ...tx, signature: forged } : tx)) };
    await expect(follower.importBlock(tampered, commit)).rejects.toMatchObject({
      code: BlockErrorCode.INVALID_TX,
      details: { index: 3, code: TxErrorCode.BAD_SIGNATURE },
    });

    await follower.importBlock(block, commit);
    expect(follower.head.header.height).toBe(1);
    expect(block.txs.every((tx) => cache.has(tx))).toBe(true);
  });
});
