import { AttestaError } from "../errors.js";
import { minimumFee } from "../ledger/fee.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import type { ChainParams } from "./params.js";
import type { ContractRegistry, RegisteredMethod, Signer, SignerAccount } from "./runtime.js";
import type { StateView } from "./state.js";

export interface ValidityEnv {
  readonly chainId: string;
  /** The height the transaction would be included at. */
  readonly height: number;
  readonly params: ChainParams;
}

export interface StatelessChecked {
  readonly method: RegisteredMethod;
  readonly args: unknown;
  readonly signer: Signer;
}

/**
 * The checks that need no state (the signature is checked apart, once, and cached):
 * size, chain, expiry, fee floor, known method, argument schema. Admission and block import
 * call this same function, so they agree. Throws AttestaError with a TxErrorCode.
 */
export function checkTxStateless(tx: SignedTransaction, env: ValidityEnv, registry: ContractRegistry): StatelessChecked {
  if (tx.bytes.length > env.params.maxTxBytes) {
    throw new AttestaError(TxErrorCode.TOO_LARGE, "transaction larger than the chain allows", {
      size: tx.bytes.length,
      max: env.params.maxTxBytes,
    });
  }
  if (tx.chainId !== env.chainId) throw new AttestaError(TxErrorCode.WRONG_CHAIN, "transaction is for another chain", { chainId: tx.chainId });
  if (tx.expiry !== 0 && tx.expiry < env.height) {
    throw new AttestaError(TxErrorCode.EXPIRED, "transaction expired", { expiry: tx.expiry, height: env.height });
  }
  const minFee = minimumFee(tx.bytes.length, env.params.feePerByte);
  if (tx.fee < minFee) throw new AttestaError(TxErrorCode.FEE_TOO_LOW, "fee below the minimum", { minimum: minFee.toString() });
  const method = registry.method(tx.kind);
  if (method === undefined) throw new AttestaError(TxErrorCode.UNKNOWN_METHOD, "no such method", { kind: tx.kind });
  return { method, args: method.decodeArgs(tx.args), signer: method.signer ?? registry.defaultSigner };
}

/**
 * The checks against state: the signer exists (an account, or a device for device methods),
 * the nonce is right, and the fee payer can pay. In a block the nonce must be exactly the
 * signer's; at admission it may run up to `maxNonceAhead` ahead (the mempool holds the gap).
 */
export function checkTxStateful(
  tx: SignedTransaction,
  state: StateView,
  signer: Signer,
  { maxNonceAhead = 0 }: { maxNonceAhead?: number } = {},
): SignerAccount {
  const account = signer.resolve(state, tx.sender);
  if (tx.nonce < account.nonce) throw new AttestaError(TxErrorCode.NONCE_TOO_LOW, "nonce already used", { expected: account.nonce });
  if (tx.nonce > account.nonce + maxNonceAhead) {
    throw new AttestaError(TxErrorCode.NONCE_TOO_HIGH, "nonce too far ahead", { expected: account.nonce });
  }
  if (account.payerBalance < tx.fee) throw new AttestaError(TxErrorCode.INSUFFICIENT_FUNDS, "balance does not cover the fee");
  return account;
}
