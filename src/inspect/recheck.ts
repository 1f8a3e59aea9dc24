import type { SignedTransaction } from "../ledger/transaction.js";
import { attemptOrSettle, MemoState } from "../contracts/state.js";
import { checkTxStateless } from "../contracts/validity.js";
import { isAttestaError } from "../errors.js";
import { dryRun, inspectStateful, isRejection, nextTurn, STATE_SLICE, type InspectEnv, type PipelineDeps } from "./pipeline.js";

/** A pending transaction that no longer passes, and the code it is refused with now. */
export interface Refused {
  readonly tx: SignedTransaction;
  readonly code: string;
}

export interface RecheckOptions {
  /**
   * Asked at each break: true when a newer head has come. The pass then stops and refuses
   * nothing (what it found was against an older head; the newer head's pass decides).
   */
  readonly stale?: () => boolean;
}

/**
 * Re-inspects pending transactions against a new head state (after a block): the stateless
 * rules (expiry moves with the height), the stateful checks and the dry run; signatures were
 * verified at admission and are not checked again. Returns those that would now be rejected
 * (a device suspended or revoked by the block, a profile's hard bound, a spent balance...).
 * Each one's dry run sees the head state, not the transactions pending before it. Yields to
 * the event loop every STATE_SLICE transactions: reads of cached state settle at once, so a
 * full mempool's pass would otherwise hold up consensus, the API and block import.
 */
export async function recheckPending(
  txs: readonly SignedTransaction[],
  env: InspectEnv,
  deps: Pick<PipelineDeps, "registry" | "state">,
  { stale }: RecheckOptions = {},
): Promise<Refused[]> {
  const refused: Refused[] = [];
  // The new head as this pass sees it: each key read once.
  const state = new MemoState(deps.state);
  for (let i = 0; i < txs.length; i++) {
    if (i > 0 && i % STATE_SLICE === 0) {
      await nextTurn();
      if (stale?.() === true) return [];
    }
    const tx = txs[i] as SignedTransaction;
    let checked;
    try {
      checked = checkTxStateless(tx, env, deps.registry);
    } catch (err) {
      if (!isAttestaError(err)) throw err;
      refused.push({ tx, code: err.code });
      continue;
    }
    const d = { tx, checked };
    const resolved = attemptOrSettle(state, () => inspectStateful(d, state));
    const account = resolved instanceof Promise ? await resolved : resolved;
    if (isRejection(account)) {
      refused.push({ tx, code: account.code });
      continue;
    }
    const judged = attemptOrSettle(state, () => dryRun(d, account, state, env));
    const verdict = judged instanceof Promise ? await judged : judged;
    if (verdict.kind === "reject") refused.push({ tx, code: verdict.code });
  }
  return refused;
}
