import { ADDRESS_LENGTH } from "../crypto/address.js";
import type { KeyPair } from "../crypto/keys.js";
import type { Encodable } from "../ledger/codec.js";
import { minimumFee } from "../ledger/fee.js";
import { signTransaction, signedTransactionSize, type SignedTransaction } from "../ledger/transaction.js";
import { bytesArg, checkAmount } from "./argChecks.js";
import { TxKind } from "./txKinds.js";

export interface BuildTransactionParams {
  readonly chainId: string;
  /** Contract method, e.g. `accounts.transfer`. */
  readonly kind: string;
  readonly args: readonly Encodable[];
  readonly key: KeyPair;
  readonly nonce: number;
  /** The chain's fee rate (`status().params.feePerByte`); sets the default fee. */
  readonly feePerByte: bigint;
  /** Defaults to the minimum fee for the transaction's size. */
  readonly fee?: bigint;
  /** Last height at which the transaction may be included; 0 (the default) never expires. */
  readonly expiry?: number;
}

/**
 * Builds and signs a transaction. Without `fee`, it pays exactly the minimum fee: the fee
 * field has a fixed width, so the transaction is signed once with fee 0 to learn its size,
 * then again with the fee that size costs. Pass `fee` to sign only once.
 */
export function buildTransaction(p: BuildTransactionParams): SignedTransaction {
  if (!Number.isSafeInteger(p.nonce) || p.nonce < 0) throw new RangeError("nonce must be a non-negative integer");
  const expiry = p.expiry ?? 0;
  if (!Number.isSafeInteger(expiry) || expiry < 0) throw new RangeError("expiry must be a non-negative integer");
  const base = {
    chainId: p.chainId,
    nonce: p.nonce,
    expiry,
    kind: p.kind,
    args: p.args,
    keyType: p.key.type,
    publicKey: p.key.publicKey,
  };
  if (p.fee !== undefined) {
    checkAmount("fee", p.fee);
    return signTransaction({ ...base, fee: p.fee }, p.key);
  }
  return signTransaction({ ...base, fee: minimumFee(signedTransactionSize({ ...base, fee: 0n }), p.feePerByte) }, p.key);
}

/** An address as bytes, from bytes or 0x hex; throws TypeError unless it is 20 bytes. */
export function addressBytes(address: Uint8Array | string, name = "address"): Uint8Array {
  return bytesArg(name, address, ADDRESS_LENGTH);
}

/** Arguments of `accounts.transfer`: `[to, amount]`. */
export function transferArgs(to: Uint8Array | string, amount: bigint): [Uint8Array, bigint] {
  checkAmount("amount", amount);
  return [addressBytes(to), amount];
}

export const TRANSFER_KIND = TxKind.TRANSFER;
