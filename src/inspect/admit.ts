import { AttestaError } from "../errors.js";
import type { ContractRegistry } from "../contracts/runtime.js";
import type { StateReader } from "../contracts/state.js";
import { checkTxStateful, checkTxStateless, type ValidityEnv } from "../contracts/validity.js";
import { decodeTransaction, type SignedTransaction } from "../ledger/transaction.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import type { Mempool } from "./mempool.js";
import type { VerifiedCache } from "./verifiedCache.js";

/** How far ahead of the account's nonce a transaction may be admitted. */
export const MAX_NONCE_AHEAD = 64;

export interface AdmissionDeps {
  readonly registry: ContractRegistry;
  readonly state: StateReader;
  readonly mempool: Mempool;
  readonly verified: VerifiedCache;
}

/**
 * Admits a transaction into the mempool, cheapest checks first: decoding, the stateless
 * rules (the same function block import uses), the signature, then state (sender, nonce,
 * fee). Throws AttestaError with a TxErrorCode; nothing is kept of a refused transaction.
 */
export async function admitTransaction(bytes: Uint8Array, env: ValidityEnv, deps: AdmissionDeps): Promise<SignedTransaction> {
  const tx = decodeTransaction(bytes);
  if (deps.mempool.has(tx.hash)) throw new AttestaError(TxErrorCode.DUPLICATE, "transaction already pending");
  checkTxStateless(tx, env, deps.registry);
  if (!deps.verified.verify(tx)) throw new AttestaError(TxErrorCode.BAD_SIGNATURE, "signature does not verify");
  await checkTxStateful(tx, deps.state, { maxNonceAhead: MAX_NONCE_AHEAD });
  deps.mempool.add(tx);
  return tx;
}
