import { executeBlock, type BlockExecution, type ExecuteOptions } from "../contracts/executeBlock.js";
import { validatorSetAt, validatorSetHash } from "../contracts/modules/validators.js";
import type { BlockEnv, ContractRegistry } from "../contracts/runtime.js";
import { settle, StateOverlay, type StateReader } from "../contracts/state.js";
import { merkleRoot } from "../ledger/merkle.js";
import { receiptHash, type Receipt } from "../ledger/receipt.js";
import type { SparseMerkleTree } from "../ledger/smt/index.js";
import type { StateChange } from "../ledger/storage/chainStore.js";
import type { SignedTransaction } from "../ledger/transaction.js";

/** The outcome of executing a block: what its header must commit to, and what to persist. */
export interface Transition {
  readonly stateRoot: Uint8Array;
  readonly receiptsRoot: Uint8Array;
  readonly nextValidatorsHash: Uint8Array;
  readonly receipts: Receipt[];
  readonly changes: StateChange[];
  readonly treeNodes: Array<[Uint8Array, Uint8Array]>;
  readonly included: SignedTransaction[];
  readonly dropped: BlockExecution["dropped"];
}

export interface StateAccess {
  readonly state: StateReader;
  readonly stateRoot: Uint8Array;
  readonly tree: SparseMerkleTree;
}

/** Executes `txs` on the state at `base` and computes the new roots (no disk writes). */
export async function transition(
  base: StateAccess,
  env: BlockEnv,
  txs: readonly SignedTransaction[],
  registry: ContractRegistry,
  options: ExecuteOptions = {},
): Promise<Transition> {
  const { receipts, changes, included, dropped } = await executeBlock(base.state, env, txs, registry, options);
  const { root, nodes } = await base.tree.update(base.stateRoot, changes);
  const after = StateOverlay.over(base.state);
  for (const c of changes) after.set(c.key, c.value);
  return {
    stateRoot: root,
    receiptsRoot: merkleRoot(receipts.map(receiptHash)),
    // The set in force at the next height (a change decided in this block comes in at height + 2).
    nextValidatorsHash: validatorSetHash(await settle(after, () => validatorSetAt(after, env.height + 1))),
    receipts,
    changes,
    treeNodes: nodes,
    included,
    dropped,
  };
}

export function txRoot(txs: readonly SignedTransaction[]): Uint8Array {
  return merkleRoot(txs.map((tx) => tx.hash));
}
