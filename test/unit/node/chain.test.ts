import { query } from "../../../src/contracts/state.js";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAccount } from "../../../src/contracts/index.js";
import { GENESIS_MISMATCH } from "../../../src/node/chain.js";
import { replayChain } from "../../../src/node/replay.js";
import { makeGenesis, makeTransfer, openChain, removeDir, silentLogger, tempDir, type TestGenesis } from "../../fixtures/chain.js";

describe("chain persistence", () => {
  let t: TestGenesis;
  let dir: string;
  
  beforeEach(async () => {
    t = makeGenesis();
    dir = await tempDir();
  });
  afterEach(async () => removeDir(dir));

  async function produce(blocks: number): Promise<void> {
    const open = await openChain(t.genesis, dir);
    const start = open.chain.head.header.height;
    for (let i = 0; i < blocks; i++) {
      const txs = [0, 1].map((k) => makeTransfer(t.genesis, t.accounts[k]!, t.accounts[2]!, 1n, { nonce: start + i }));
      await open.chain.produceAndCommit(t.validatorKeys[0]!, txs, Date.now());
    }
    await open.close();
  }

  it("reopens at its last committed block with the same head and state", async () => {
    await produce(4);
    const open = await openChain(t.genesis, dir);
    expect(open.chain.head.header.height).toBe(4);
    expect(open.chain.finalizedHeight).toBe(4);
    expect((await query(open.chain.state, (s) => readAccount(s, t.accounts[2]!.address)))?.balance).toBe(1_000_000_000n + 8n);
    await open.close();
    await produce(2);
    const again = await openChain(t.genesis, dir);
    expect(again.chain.head.header.height).toBe(6);
    await again.close();
  });

  it("refuses a database written under another genesis: GENESIS_MISMATCH", async () => {
    await produce(1);
    const other = makeGenesis();
    await expect(openChain(other.genesis, dir)).rejects.toMatchObject({ code: GENESIS_MISMATCH });
  });

  it("a replay from genesis reaches the stored head, and the stored state values hash to its root", async () => {
    await produce(5);
    const open = await openChain(t.genesis, dir);
    const scratch = await tempDir();
    const report = await replayChain(open.store, t.genesis, join(scratch, "db"), silentLogger);
    await open.close();
    await removeDir(scratch);
    expect(report).toEqual({ height: 5, headMatches: true, stateValuesMatch: true });
  });
});
