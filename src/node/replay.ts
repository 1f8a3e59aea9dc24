import type { Logger } from "pino";
import { equalBytes } from "../crypto/bytes.js";
import { ZERO_HASH } from "../crypto/hash.js";
import type { Genesis } from "../contracts/genesis.js";
import { createRegistry } from "../contracts/index.js";
import { verifySignature } from "../crypto/verify.js";
import { MemoryNodeStore, SparseMerkleTree } from "../ledger/smt/index.js";
import { ChainStore } from "../ledger/storage/chainStore.js";
import { Chain } from "./chain.js";

export interface ReplayReport {
  readonly height: number;
  /** The replayed head's hash equals the stored head's (same state root, receipts, everything). */
  readonly headMatches: boolean;
  /** The stored latest state values hash to the stored head's state root. */
  readonly stateValuesMatch: boolean;
}

/**
 * Checks a database from genesis: re-imports every stored block into a fresh database in
 * `scratchDir` (full validation and re-execution), and recomputes the state root from the
 * stored state values. Used after crashes, by tests and operators.
 */
export async function replayChain(source: ChainStore, genesis: Genesis, scratchDir: string, logger: Logger): Promise<ReplayReport> {
  const height = (await source.headHeight()) ?? 0;
  const scratch = await ChainStore.open(scratchDir);
  try {
    const registry = createRegistry();
    const verifyTx: Parameters<typeof Chain.open>[0]["verifyTx"] = (tx) => verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload);
    const chain = await Chain.open({ store: scratch, genesis, registry, logger, verifyTx }, { maxClockSkewMs: Number.MAX_SAFE_INTEGER });
    for (let h = 1; h <= height; h++) {
      const block = await source.block(h);
      if (block === undefined) throw new Error(`stored chain has no block at ${h}`);
      await chain.importBlock(block, await source.commit(h));
    }
    const stored = await source.block(height);
    const storedHash = await source.blockHash(height);
    const headMatches = stored !== undefined && storedHash !== undefined && equalBytes(chain.head.hash, storedHash);

    const changes = [];
    for await (const [key, value] of source.stateEntries()) changes.push({ key, value });
    const { root } = await new SparseMerkleTree(new MemoryNodeStore()).update(ZERO_HASH, changes);
    return { height, headMatches, stateValuesMatch: stored !== undefined && equalBytes(root, stored.header.stateRoot) };
  } finally {
    await scratch.close();
  }
}
