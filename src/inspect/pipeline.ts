import { applyTransaction } from "../contracts/executeBlock.js";
import type { BlockEnv, ContractRegistry, SignerAccount } from "../contracts/runtime.js";
import { attemptOrSettle, MemoState, StateOverlay, type StateReader, type StateView } from "../contracts/state.js";
import { checkTxStateful, checkTxStateless, type StatelessChecked } from "../contracts/validity.js";
import { AttestaError } from "../errors.js";
import { decodeTransaction, type SignedTransaction } from "../ledger/transaction.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import { InspectStage, rejection, verdictOfReceipt, type Rejection, type Verdict } from "./verdict.js";
import type { VerifiedCache } from "./verifiedCache.js";
import { VerifyPool } from "./verifyPool.js";

/** How far ahead of the account's nonce a transaction may be admitted. */
export const MAX_NONCE_AHEAD = 64;

/**
 * Transactions through the stateful checks and dry runs, and signatures verified on this
 * thread, between two turns of the event loop: cached reads return at once and inline
 * verification never waits, so a large batch (a gossip message holds up to 2,000) would
 * otherwise hold up consensus messages and the API for its whole length (about 5-15 µs a
 * transaction for the state stages, 60-130 µs a signature).
 */
export const STATE_SLICE = 256;
export const SIGNATURE_SLICE = 64;

/** Lets the event loop run what waits (I/O, timers) before going on. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Verifies on the calling thread: a pool that is never started has no workers. */
const INLINE = new VerifyPool({ size: 0, minParallelBatch: Infinity });

/**
 * The block a transaction would go into: the next height, at the head's timestamp (the only
 * clock a dry run sees, so it is deterministic). The proposer is unknown and unused by methods.
 */
export type InspectEnv = BlockEnv;

/** Times each stage of the pipeline and counts verdicts (the API's metrics implement it). */
export interface PipelineObserver {
  stage(stage: InspectStage, seconds: number, txs: number): void;
  verdict(verdict: Verdict): void;
}

export interface PipelineDeps {
  readonly registry: ContractRegistry;
  /** The head state. */
  readonly state: StateReader;
  readonly verified: VerifiedCache;
  /** Verifies signatures off the main thread; without it they are verified inline. */
  readonly pool?: VerifyPool;
  readonly observer?: PipelineObserver;
}

/** A transaction through the stateless stage: decoded, its method and arguments known. */
export interface Decoded {
  readonly tx: SignedTransaction;
  readonly checked: StatelessChecked;
}

/** Stage 1: size, canonical decoding, chain id, expiry, fee floor, method and argument schema (the signature is `verifySignatures`). */
export function inspectStateless(bytes: Uint8Array, env: InspectEnv, registry: ContractRegistry): Decoded | Rejection {
  try {
    if (bytes.length > env.params.maxTxBytes) {
      // Refused before decoding: a flood of huge bodies costs no msgpack work.
      throw new AttestaError(TxErrorCode.TOO_LARGE, "transaction larger than the chain allows", { size: bytes.length, max: env.params.maxTxBytes });
    }
    const tx = decodeTransaction(bytes);
    return { tx, checked: checkTxStateless(tx, env, registry) };
  } catch (err) {
    return rejection(err, InspectStage.STATELESS);
  }
}

/**
 * Stage 1, signatures: verifies those not already in the cache, in parallel on the pool, and
 * caches the good ones. Returns, per transaction, whether its signature holds.
 */
export async function verifySignatures(txs: readonly SignedTransaction[], deps: Pick<PipelineDeps, "verified" | "pool">): Promise<boolean[]> {
  const verified = deps.verified;
  const pool = deps.pool ?? INLINE;
  // No worker (one core, or none started): verified here, without building a list of jobs.
  if (!pool.parallel) {
    if (txs.length <= SIGNATURE_SLICE) return verified.verifyEach(txs);
    const results: boolean[] = [];
    for (let i = 0; i < txs.length; i += SIGNATURE_SLICE) {
      if (i > 0) await nextTurn();
      for (const ok of verified.verifyEach(txs.slice(i, i + SIGNATURE_SLICE))) results.push(ok);
    }
    return results;
  }
  const results: boolean[] = [];
  // A transaction is its own verification job (it carries keyType, publicKey, signature, payload).
  const todo: SignedTransaction[] = [];
  const at: number[] = [];
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i] as SignedTransaction;
    results.push(true);
    if (verified.has(tx)) continue;
    todo.push(tx);
    at.push(i);
  }
  if (todo.length === 0) return results;
  const valid = await pool.verify(todo);
  for (let k = 0; k < todo.length; k++) {
    if (valid[k] === true) verified.add(todo[k] as SignedTransaction);
    else results[at[k] as number] = false;
  }
  return results;
}

export const badSignature = (): Rejection =>
  rejection(new AttestaError(TxErrorCode.BAD_SIGNATURE, "signature does not verify"), InspectStage.SIGNATURE);

/**
 * Stage 2, against the head state: the signer is known and may sign (a revoked device may
 * not), the nonce is not used and at most `maxNonceAhead` ahead, the fee payer covers the
 * fee, and the method's `authorise` rule lets the sender call it (UNAUTHORISED). A read that
 * misses throws NotAtHand (see `settle`).
 */
export function inspectStateful(d: Decoded, state: StateView, maxNonceAhead = MAX_NONCE_AHEAD): SignerAccount | Rejection {
  try {
    const account = checkTxStateful(d.tx, state, d.checked.signer, { maxNonceAhead });
    if (d.checked.method.authorise !== undefined) d.checked.method.authorise(state, d.tx.sender, d.checked.args);
    return account;
  } catch (err) {
    return rejection(err, InspectStage.STATEFUL);
  }
}

/**
 * Stage 3: executes the method with the real contract code, as the next block's only
 * transaction, over a throwaway overlay of the head state (nothing is written, nothing is
 * encoded), and reads the verdict off its receipt: device active, bound to the bridge, seq not
 * replayed, the profile's hard and soft checks, and every other rule of the method. `account`
 * is what `inspectStateful` resolved over this same `state` (a MemoState: it does not change).
 * A read that misses throws NotAtHand, and leaves nothing behind (the overlay is the run's own).
 */
export function dryRun(d: Decoded, account: SignerAccount, state: StateView, env: InspectEnv): Verdict {
  const receipt = applyTransaction(new StateOverlay(state), env, d.tx, d.checked, account, { authorised: true });
  return verdictOfReceipt(receipt, InspectStage.DRY_RUN);
}

export const isRejection = (v: unknown): v is Rejection => typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "reject";

/** One transaction through the pipeline: its verdict, and the transaction once decoded. */
export interface Inspected {
  readonly tx?: SignedTransaction;
  readonly verdict: Verdict;
}

export interface PipelineOptions {
  /** How far ahead of the signer's nonce (default MAX_NONCE_AHEAD; 0 at execution). */
  readonly maxNonceAhead?: number;
  /** Whether the transaction is pending already: DUPLICATE, before its signature is checked. */
  readonly pending?: (tx: SignedTransaction) => boolean;
  /**
   * Called in order for each transaction that passes every stage; may turn it into a
   * rejection (the mempool's DUPLICATE, MEMPOOL_FULL).
   */
  readonly admit?: (tx: SignedTransaction) => Rejection | undefined;
}

/**
 * Runs the stages over `list`, cheapest first, timing each for the observer: stateless for
 * all, then the signatures not yet verified (in parallel on the pool), then, one by one in
 * order, the stateful checks and the dry run. One verdict per transaction, in order.
 * Without `admit` nothing is kept: POST /v1/inspect and the property test use it so. A large
 * batch gives the event loop a turn every SIGNATURE_SLICE signatures verified on this thread
 * and every STATE_SLICE transactions checked against state.
 */
export async function runPipeline(list: readonly Uint8Array[], env: InspectEnv, deps: PipelineDeps, options: PipelineOptions = {}): Promise<Inspected[]> {
  const { maxNonceAhead = MAX_NONCE_AHEAD, pending, admit } = options;
  const observer = deps.observer;
  let t = performance.now();
  const lap = (stage: InspectStage, txs: number): void => {
    if (observer === undefined) return;
    const now = performance.now();
    observer.stage(stage, (now - t) / 1000, txs);
    t = now;
  };

  const staged: Array<Decoded | Rejection> = new Array(list.length);
  const decoded: SignedTransaction[] = [];
  for (let i = 0; i < list.length; i++) {
    let d = inspectStateless(list[i] as Uint8Array, env, deps.registry);
    if (!isRejection(d)) {
      if (pending?.(d.tx) === true) d = rejection(new AttestaError(TxErrorCode.DUPLICATE, "transaction already pending"), InspectStage.STATELESS);
      else decoded.push(d.tx);
    }
    staged[i] = d;
  }
  lap(InspectStage.STATELESS, list.length);
  const signatures = await verifySignatures(decoded, deps);
  lap(InspectStage.SIGNATURE, decoded.length);

  // The head as this batch sees it: each key read once, for the stateful checks and the dry runs.
  const state = new MemoState(deps.state);
  const out: Inspected[] = new Array(staged.length);
  const timed = observer !== undefined;
  let next = 0;
  let stateful = 0;
  let dry = 0;
  for (let i = 0; i < staged.length; i++) {
    if (i > 0 && i % STATE_SLICE === 0) await nextTurn();
    const s = staged[i] as Decoded | Rejection;
    if (isRejection(s)) {
      out[i] = { verdict: s };
      continue;
    }
    const tx = s.tx;
    if (signatures[next++] !== true) {
      out[i] = { tx, verdict: badSignature() };
      continue;
    }
    // Each stage at once when its reads are at hand (no promise: a warm cache), else settled.
    const t0 = timed ? performance.now() : 0;
    const resolved = attemptOrSettle(state, () => inspectStateful(s, state, maxNonceAhead));
    const account = resolved instanceof Promise ? await resolved : resolved;
    const t1 = timed ? performance.now() : 0;
    stateful += t1 - t0;
    if (isRejection(account)) {
      out[i] = { tx, verdict: account };
      continue;
    }
    const judged = attemptOrSettle(state, () => dryRun(s, account, state, env));
    const verdict = judged instanceof Promise ? await judged : judged;
    if (timed) dry += performance.now() - t1;
    out[i] = { tx, verdict: isRejection(verdict) ? verdict : (admit?.(tx) ?? verdict) };
  }
  if (observer !== undefined) {
    observer.stage(InspectStage.STATEFUL, stateful / 1000, decoded.length);
    observer.stage(InspectStage.DRY_RUN, dry / 1000, decoded.length);
    for (const o of out) observer.verdict(o.verdict);
  }
  return out;
}
