import { AttestaError, isAttestaError } from "../errors.js";
import type { ContractRegistry } from "../contracts/runtime.js";
import type { StateReader } from "../contracts/state.js";
import { checkTxStateful, checkTxStateless, type ValidityEnv } from "../contracts/validity.js";
import { decodeTransaction, type SignedTransaction } from "../ledger/transaction.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import type { Mempool } from "./mempool.js";
import type { VerifiedCache } from "./verifiedCache.js";
import { VerifyPool } from "./verifyPool.js";

/** Verifies on the calling thread: a pool that is never started has no workers. */
const INLINE = new VerifyPool({ size: 0, minParallelBatch: Infinity });

/** How far ahead of the account's nonce a transaction may be admitted. */
export const MAX_NONCE_AHEAD = 64;

export interface AdmissionDeps {
  readonly registry: ContractRegistry;
  readonly state: StateReader;
  readonly mempool: Mempool;
  readonly verified: VerifiedCache;
  /** Verifies signatures off the main thread; without it they are verified inline. */
  readonly pool?: VerifyPool;
}

/** Per transaction: admitted, or refused with a coded error. */
export type Admission = SignedTransaction | AttestaError;

function refusal(err: unknown): AttestaError {
  if (isAttestaError(err)) return err;
  throw err; // a bug, not bad input: let it surface
}

/**
 * Admits transactions into the mempool, in order, cheapest checks first: decoding and the
 * stateless rules (the same function block import uses) for all; then the signatures not yet
 * verified, in parallel on the pool; then, one by one in order, state (sender, nonce, fee)
 * and the mempool. A refused transaction gets an AttestaError with a TxErrorCode and nothing
 * of it is kept; consecutive nonces of one sender in one batch are all admitted.
 */
export async function admitTransactions(list: readonly Uint8Array[], env: ValidityEnv, deps: AdmissionDeps): Promise<Admission[]> {
  const staged: Admission[] = list.map((bytes) => {
    try {
      const tx = decodeTransaction(bytes);
      if (deps.mempool.has(tx.hash)) throw new AttestaError(TxErrorCode.DUPLICATE, "transaction already pending");
      checkTxStateless(tx, env, deps.registry);
      return tx;
    } catch (err) {
      return refusal(err);
    }
  });

  const unverified = staged.filter((s): s is SignedTransaction => !isAttestaError(s) && !deps.verified.has(s));
  const jobs = unverified.map((tx) => ({ keyType: tx.keyType, publicKey: tx.publicKey, signature: tx.signature, payload: tx.payload }));
  const valid = await (deps.pool ?? INLINE).verify(jobs);
  const badSignature = new Set<SignedTransaction>();
  unverified.forEach((tx, i) => (valid[i] === true ? deps.verified.add(tx) : badSignature.add(tx)));

  const results: Admission[] = [];
  for (const s of staged) {
    if (isAttestaError(s)) {
      results.push(s);
      continue;
    }
    try {
      if (badSignature.has(s)) throw new AttestaError(TxErrorCode.BAD_SIGNATURE, "signature does not verify");
      await checkTxStateful(s, deps.state, deps.registry.signerFor(s.kind), { maxNonceAhead: MAX_NONCE_AHEAD });
      deps.mempool.add(s);
      results.push(s);
    } catch (err) {
      results.push(refusal(err));
    }
  }
  return results;
}

/** Admits one transaction; throws its AttestaError when refused. */
export async function admitTransaction(bytes: Uint8Array, env: ValidityEnv, deps: AdmissionDeps): Promise<SignedTransaction> {
  const [result] = await admitTransactions([bytes], env, deps);
  if (result === undefined || isAttestaError(result)) throw result ?? new RangeError("no admission result");
  return result;
}
