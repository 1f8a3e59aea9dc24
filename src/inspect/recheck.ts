import type { SignedTransaction } from "../ledger/transaction.js";
import { MemoState } from "../contracts/state.js";
import { checkTxStateless } from "../contracts/validity.js";
import { isAttestaError } from "../errors.js";
import { dryRun, inspectStateful, isRejection, type InspectEnv, type PipelineDeps } from "./pipeline.js";

/** A pending transaction that no longer passes, and the code it is refused with now. */
export interface Refused {
  readonly tx: SignedTransaction;
  readonly code: string;
}

/**
 * Re-inspects pending transactions against a new head state (after a block): the stateless
 * rules (expiry moves with the height), the stateful checks and the dry run; signatures were
 * verified at admission and are not checked again. Returns those that would now be rejected
 * (a device suspended or revoked by the block, a profile's hard bound, a spent balance...).
 * Each one's dry run sees the head state, not the transactions pending before it.
 */
export async function recheckPending(txs: readonly SignedTransaction[], env: InspectEnv, deps: Pick<PipelineDeps, "registry" | "state">): Promise<Refused[]> {
  const refused: Refused[] = [];
  // The new head as this pass sees it: each key read once.
  const state = new MemoState(deps.state);
  for (const tx of txs) {
    let checked;
    try {
      checked = checkTxStateless(tx, env, deps.registry);
    } catch (err) {
      if (!isAttestaError(err)) throw err;
      refused.push({ tx, code: err.code });
      continue;
    }
    const d = { tx, checked };
    const account = await inspectStateful(d, state);
    if (isRejection(account)) {
      refused.push({ tx, code: account.code });
      continue;
    }
    const verdict = await dryRun(d, account, state, env);
    if (verdict.kind === "reject") refused.push({ tx, code: verdict.code });
  }
  return refused;
}
