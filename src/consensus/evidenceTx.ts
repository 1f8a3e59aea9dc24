import type { KeyPair } from "../crypto/keys.js";
import { evidenceTuple, type Evidence } from "../ledger/consensusMessages.js";
import { minimumFee } from "../ledger/fee.js";
import { signedTransactionSize, signTransaction, type SignedTransaction, type UnsignedTransaction } from "../ledger/transaction.js";

/** The `validators.evidence` transaction a validator signs to put evidence it found on chain, at the minimum fee. */
export function evidenceTransaction(chainId: string, feePerByte: bigint, key: KeyPair, nonce: number, evidence: Evidence): SignedTransaction {
  const base: Omit<UnsignedTransaction, "fee"> = {
    chainId,
    nonce,
    expiry: 0,
    kind: "validators.evidence",
    args: evidenceTuple(evidence),
    keyType: key.type,
    publicKey: key.publicKey,
  };
  return signTransaction({ ...base, fee: minimumFee(signedTransactionSize({ ...base, fee: 0n }), feePerByte) }, key);
}
