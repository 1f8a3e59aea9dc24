import { isAttestaError, AttestaError } from "../errors.js";
import type { Encodable } from "../ledger/codec.js";
import type { ChainEvent, Receipt } from "../ledger/receipt.js";
import type { StateChange } from "../ledger/storage/chainStore.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { BlockErrorCode } from "./errors.js";
import { credit } from "./modules/accounts.js";
import type { BlockEnv, CallContext, ContractRegistry, SignerAccount } from "./runtime.js";
import { NotAtHand, settle, StateOverlay, type StateReader } from "./state.js";
import { checkTxStateful, checkTxStateless, type StatelessChecked } from "./validity.js";

export interface BlockExecution {
  readonly receipts: Receipt[];
  readonly changes: StateChange[];
  /** The transactions executed: all of them, unless `skipInvalid` dropped some. */
  readonly included: SignedTransaction[];
  /** With `skipInvalid`: transactions left out, with their codes (the proposer drops them). */
  readonly dropped: Array<{ readonly tx: SignedTransaction; readonly code: string }>;
}

export interface ExecuteOptions {
  /** Proposer mode: leave invalid transactions out instead of failing the block. */
  readonly skipInvalid?: boolean;
}

/** Code of a receipt whose method threw something that is not an AttestaError (a contract bug). */
export const EXECUTION_FAULT = "EXECUTION_FAULT";

/**
 * Executes a block's transactions over `base` (signatures already verified by the caller).
 * Every transaction must be valid (else the block is: BlockErrorCode.INVALID_TX with the
 * transaction's index and code); it pays its fee and bumps its nonce, then its method runs,
 * and a method failure reverts the method's writes into a failed receipt. The proposer is
 * credited the block's fees once, after the last transaction.
 */
export async function executeBlock(
  base: StateReader,
  env: BlockEnv,
  txs: readonly SignedTransaction[],
  registry: ContractRegistry,
  { skipInvalid = false }: ExecuteOptions = {},
): Promise<BlockExecution> {
  let bytes = 0;
  for (const tx of txs) bytes += tx.bytes.length;
  if (txs.length > env.params.maxBlockTxs || bytes > env.params.maxBlockBytes) {
    throw new AttestaError(BlockErrorCode.TOO_LARGE, "block over the size limits", { txs: txs.length, bytes });
  }
  const state = StateOverlay.over(base);
  const receipts: Receipt[] = [];
  const included: SignedTransaction[] = [];
  const dropped: BlockExecution["dropped"] = [];
  const seen = new Set<string>();
  let fees = 0n;
  for (let index = 0; index < txs.length; index++) {
    const tx = txs[index] as SignedTransaction;
    const id = Buffer.from(tx.hash).toString("latin1");
    try {
      if (seen.has(id)) throw new AttestaError(BlockErrorCode.DUPLICATE_TX, "transaction included twice", { index });
      seen.add(id);
      receipts.push(await executeTransaction(state, env, tx, index, registry));
      included.push(tx);
      fees += tx.fee;
    } catch (err) {
      if (!skipInvalid || !isAttestaError(err)) throw err;
      dropped.push({ tx, code: typeof err.details?.code === "string" ? err.details.code : err.code });
    }
  }
  if (fees > 0n) await settle(state, () => credit(state, env.proposer, fees), undefined, state);
  return { receipts, changes: state.changes(), included, dropped };
}

function executeTransaction(
  state: StateOverlay,
  env: BlockEnv,
  tx: SignedTransaction,
  index: number,
  registry: ContractRegistry,
): Promise<Receipt> {
  let checked: StatelessChecked;
  try {
    checked = checkTxStateless(tx, env, registry);
  } catch (err) {
    throw invalidTx(err, index);
  }
  // Each run in a checkpoint of its own (see settle): a run that read what was not at hand is undone.
  return settle(
    state,
    () => {
      let account;
      try {
        account = checkTxStateful(tx, state, checked.signer);
      } catch (err) {
        throw invalidTx(err, index);
      }
      return applyTransaction(state, env, tx, checked, account);
    },
    undefined,
    state,
  );
}

/** A block's invalid transaction as the block's error (anything else, a miss included, goes through). */
function invalidTx(err: unknown, index: number): unknown {
  if (!isAttestaError(err)) return err;
  return new AttestaError(BlockErrorCode.INVALID_TX, "block holds an invalid transaction", { index, code: err.code });
}

/** A method's call: the context it sees, collecting the events it emits (one object, no closure per call). */
class Call implements CallContext {
  readonly events: ChainEvent[] = [];
  readonly sender: Uint8Array;

  constructor(
    readonly state: StateOverlay,
    readonly tx: SignedTransaction,
    readonly env: BlockEnv,
  ) {
    this.sender = tx.sender;
  }

  emit(type: string, attributes: ReadonlyArray<readonly [string, Encodable]>): void {
    this.events.push({ type, attributes });
  }
}

/**
 * Runs a valid transaction (checked by the caller) over `state`: charges the fee and uses the
 * nonce, then asks the method's `authorise` rule (unless `authorised`: the caller asked it
 * against the same state) and runs the method; a refusal or a method failure reverts the
 * method's writes into a failed receipt. Block execution and the admission dry run share it.
 * A read that misses throws NotAtHand, the fee's writes made: run it through `settle`, in a
 * checkpoint of its own or over a throwaway overlay.
 */
export function applyTransaction(
  state: StateOverlay,
  env: BlockEnv,
  tx: SignedTransaction,
  checked: StatelessChecked,
  account: SignerAccount,
  { authorised = false }: { authorised?: boolean } = {},
): Receipt {
  checked.signer.charge(state, tx.sender, account, tx.fee);

  const ctx = new Call(state, tx, env);
  state.checkpoint();
  try {
    if (!authorised && checked.method.authorise !== undefined) checked.method.authorise(state, tx.sender, checked.args);
    checked.method.execute(ctx, checked.args);
    state.commitCheckpoint();
    return { status: "ok", code: "", events: ctx.events, fee: tx.fee };
  } catch (err) {
    state.revertCheckpoint();
    if (err instanceof NotAtHand) throw err; // not a failure: the caller fetches and runs it again
    return { status: "failed", code: isAttestaError(err) ? err.code : EXECUTION_FAULT, events: [], fee: tx.fee };
  }
}
