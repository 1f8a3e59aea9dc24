import { applyTransaction } from "../contracts/executeBlock.js";
import type { BlockEnv, ContractRegistry, SignerAccount } from "../contracts/runtime.js";
import { StateOverlay, type StateReader } from "../contracts/state.js";
import { checkTxStateful, checkTxStateless, type StatelessChecked } from "../contracts/validity.js";
import { AttestaError } from "../errors.js";
import { decodeTransaction, type SignedTransaction } from "../ledger/transaction.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import { InspectStage, rejection, verdictOfReceipt, type Rejection, type Verdict } from "./verdict.js";
import type { VerifiedCache } from "./verifiedCache.js";
import { VerifyPool } from "./verifyPool.js";

/** How far ahead of the account's nonce a transaction may be admitted. */
export const MAX_NONCE_AHEAD = 64;

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
  const results = new Array<boolean>(txs.length).fill(true);
  const todo: number[] = [];
  for (let i = 0; i < txs.length; i++) if (!deps.verified.has(txs[i] as SignedTransaction)) todo.push(i);
  if (todo.length === 0) return results;
  const jobs = todo.map((i) => {
    const tx = txs[i] as SignedTransaction;
    return { keyType: tx.keyType, publicKey: tx.publicKey, signature: tx.signature, payload: tx.payload };
  });
  const valid = await (deps.pool ?? INLINE).verify(jobs);
  todo.forEach((i, k) => {
    if (valid[k] === true) deps.verified.add(txs[i] as SignedTransaction);
    else results[i] = false;
  });
  return results;
}

export const badSignature = (): Rejection =>
  rejection(new AttestaError(TxErrorCode.BAD_SIGNATURE, "signature does not verify"), InspectStage.SIGNATURE);

/**
 * Stage 2, against the head state: the signer is known and may sign (a revoked device may
 * not), the nonce is not used and at most `maxNonceAhead` ahead, the fee payer covers the
 * fee, and the method's `authorise` rule lets the sender call it (UNAUTHORISED).
 */
export async function inspectStateful(d: Decoded, state: StateReader, maxNonceAhead = MAX_NONCE_AHEAD): Promise<SignerAccount | Rejection> {
  try {
    const account = await checkTxStateful(d.tx, state, d.checked.signer, { maxNonceAhead });
    if (d.checked.method.authorise !== undefined) await d.checked.method.authorise(state, d.tx.sender, d.checked.args);
    return account;
  } catch (err) {
    return rejection(err, InspectStage.STATEFUL);
  }
}

/**
 * Stage 3: executes the method with the real contract code, as the next block's only
 * transaction, over a throwaway overlay of the head state (nothing is written), and reads
 * the verdict off its receipt: device active, bound to the bridge, seq not replayed, the
 * profile's hard and soft checks, and every other rule of the method.
 */
export async function dryRun(d: Decoded, account: SignerAccount, state: StateReader, env: InspectEnv): Promise<Verdict> {
  const receipt = await applyTransaction(new StateOverlay(state), env, d.tx, d.checked, account, { authorised: true });
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
 * Without `admit` nothing is kept: POST /v1/inspect and the property test use it so.
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

  const staged = list.map((bytes): Decoded | Rejection => {
    const d = inspectStateless(bytes, env, deps.registry);
    if (pending === undefined || isRejection(d) || !pending(d.tx)) return d;
    return rejection(new AttestaError(TxErrorCode.DUPLICATE, "transaction already pending"), InspectStage.STATELESS);
  });
  lap(InspectStage.STATELESS, list.length);
  const decoded = staged.filter((s): s is Decoded => !isRejection(s));
  const signatures = await verifySignatures(
    decoded.map((d) => d.tx),
    deps,
  );
  lap(InspectStage.SIGNATURE, decoded.length);

  const out: Inspected[] = [];
  let next = 0;
  let stateful = 0;
  let dry = 0;
  for (const s of staged) {
    if (isRejection(s)) {
      out.push({ verdict: s });
      continue;
    }
    const tx = s.tx;
    if (signatures[next++] !== true) {
      out.push({ tx, verdict: badSignature() });
      continue;
    }
    const t0 = performance.now();
    const account = await inspectStateful(s, deps.state, maxNonceAhead);
    const t1 = performance.now();
    stateful += t1 - t0;
    if (isRejection(account)) {
      out.push({ tx, verdict: account });
      continue;
    }
    const verdict = await dryRun(s, account, deps.state, env);
    dry += performance.now() - t1;
    if (isRejection(verdict)) {
      out.push({ tx, verdict });
      continue;
    }
    const refused = admit?.(tx);
    out.push({ tx, verdict: refused ?? verdict });
  }
  if (observer !== undefined) {
    observer.stage(InspectStage.STATEFUL, stateful / 1000, decoded.length);
    observer.stage(InspectStage.DRY_RUN, dry / 1000, decoded.length);
    for (const o of out) observer.verdict(o.verdict);
  }
  return out;
}
