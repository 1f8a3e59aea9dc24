import type { ValidityEnv } from "../contracts/validity.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import type { DroppedTx, Mempool } from "./mempool.js";
import { runPipeline, type InspectEnv, type Inspected, type PipelineDeps } from "./pipeline.js";
import { InspectStage, rejection } from "./verdict.js";

export { MAX_NONCE_AHEAD } from "./pipeline.js";

export interface AdmissionDeps extends PipelineDeps {
  readonly mempool: Mempool;
  /** Told of each pending transaction an admission displaced (REPLACED, or evicted: MEMPOOL_FULL). */
  readonly dropped?: (d: DroppedTx) => void;
}

/** The block admission inspects for: BlockEnv, where `timestamp` is the head's (0 if unknown) and `proposer` is unused. */
export type AdmissionEnv = ValidityEnv & Partial<Pick<InspectEnv, "timestamp" | "proposer">>;

const NO_PROPOSER = new Uint8Array(20);

/** Per transaction: its verdict (`accept` and `flag` are in the mempool; `reject` left nothing behind), and the transaction once decoded. */
export type Admission = Inspected;

/**
 * Admits transactions into the mempool, in order, through the inspection pipeline (stateless,
 * signatures in parallel on the pool, stateful against the head state, dry run of the
 * contract); a transaction whose verdict is `accept` or `flag` is added to the mempool, which
 * may still refuse it (DUPLICATE, REPLACEMENT_UNDERPRICED, MEMPOOL_FULL) or displace others
 * (reported to `dropped`). Consecutive nonces of one sender in one
 * batch are all admitted (the dry run of each sees the head state, not its predecessors).
 */
export async function admitTransactions(list: readonly Uint8Array[], env: AdmissionEnv, deps: AdmissionDeps): Promise<Admission[]> {
  const blockEnv: InspectEnv = { ...env, timestamp: env.timestamp ?? 0, proposer: env.proposer ?? NO_PROPOSER };
  return runPipeline(list, blockEnv, deps, {
    pending: (tx) => deps.mempool.holds(tx),
    admit(tx) {
      try {
        const displaced = deps.mempool.add(tx);
        if (deps.dropped !== undefined) for (const d of displaced) deps.dropped(d);
        return undefined;
      } catch (err) {
        return rejection(err, InspectStage.MEMPOOL);
      }
    },
  });
}

/** Admits one transaction; throws its AttestaError when refused. */
export async function admitTransaction(bytes: Uint8Array, env: AdmissionEnv, deps: AdmissionDeps): Promise<SignedTransaction> {
  const [result] = await admitTransactions([bytes], env, deps);
  if (result === undefined) throw new RangeError("no admission result");
  if (result.verdict.kind === "reject") throw result.verdict.error;
  return result.tx as SignedTransaction;
}
