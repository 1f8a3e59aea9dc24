// Block import of blocks of 1,000 transfers with signatures already verified (as when the
// node admitted them itself): header checks, re-execution, state-tree update and the synced
// atomic level write. Also the proposer's side (build + execute + commit) for comparison.
import "../../src/polyfill.js";
import { generateKeyPair } from "../../src/crypto/keys.js";
import type { Block } from "../../src/ledger/block.js";
import type { Commit } from "../../src/ledger/commit.js";
import { ChainStore } from "../../src/ledger/storage/chainStore.js";
import { Chain } from "../../src/node/chain.js";
import { createRegistry } from "../../src/contracts/index.js";
import { join } from "node:path";
import { formatTable, median, type BenchRow } from "../lib.js";
import { makeGenesis, makeTransfer, openChain, removeDir, silentLogger, tempDir } from "../../test/fixtures/chain.js";

const TXS_PER_BLOCK = 1_000;
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 6);

export async function run(): Promise<BenchRow[]> {
  const t = makeGenesis({ accounts: TXS_PER_BLOCK, params: { maxBlockTxs: 10_000 } });
  const producerDir = await tempDir("attesta-bench-");
  const followerDir = await tempDir("attesta-bench-");
  const producer = await openChain(t.genesis, producerDir);
  const recipients = Array.from({ length: 64 }, () => generateKeyPair().address);

  const produced: Array<{ block: Block; commit: Commit | undefined }> = [];
  const produceMs: number[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    const txs = t.accounts.map((key, i) => makeTransfer(t.genesis, key, recipients[i % recipients.length]!, 1n, { nonce: b }));
    const start = performance.now();
    const imported = await producer.chain.produceAndCommit(t.validatorKeys[0]!, txs, Date.now());
    produceMs.push(performance.now() - start);
    if (imported.block.txs.length !== TXS_PER_BLOCK) throw new Error(`block ${b} holds ${imported.block.txs.length} txs`);
    produced.push({ block: imported.block, commit: await producer.store.commit(imported.block.header.height) });
  }

  const store = await ChainStore.open(join(followerDir, "db"));
  // Signatures already verified: the node's cache answers for transactions it admitted.
  const follower = await Chain.open({ store, genesis: t.genesis, registry: createRegistry(), logger: silentLogger, verifyTx: () => true }, { maxClockSkewMs: 60_000 });
  const importMs: number[] = [];
  for (const { block, commit } of produced) {
    const start = performance.now();
    await follower.importBlock(block, commit);
    importMs.push(performance.now() - start);
  }
  await follower.idle();
  await store.close();
  await producer.close();
  await removeDir(producerDir);
  await removeDir(followerDir);

  // The first block also warms the caches of a fresh process: report the median.
  const imp = median(importMs);
  const prod = median(produceMs);
  return [
    { name: "block import, 1,000 transfers (sigs verified)", value: (TXS_PER_BLOCK * 1000) / imp, unit: "tx/s", note: `median ${imp.toFixed(1)} ms/block over ${BLOCKS} blocks, incl. synced write` },
    { name: "block production, 1,000 transfers", value: (TXS_PER_BLOCK * 1000) / prod, unit: "tx/s", note: `median ${prod.toFixed(1)} ms/block` },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
