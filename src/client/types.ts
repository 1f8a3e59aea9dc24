// What the API answers, as the SDK hands it back: hashes, addresses and other bytes as 0x
// hex strings; amounts (balances, fees, fee rates) converted to bigint; transaction args
// and event values as the API renders them (bytes → hex, bigint → decimal string).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type TxState = "pending" | "included" | "final" | "rejected";

export interface ChainStatus {
  readonly chainId: string;
  readonly genesisHash: string;
  readonly height: number;
  readonly headHash: string;
  readonly headTimestamp: number;
  readonly finalizedHeight: number;
  readonly validators: readonly string[];
  readonly mode: "validator" | "full";
  readonly version: string;
  readonly params: { readonly feePerByte: bigint; readonly maxTxBytes: number; readonly blockPeriodMs: number };
  readonly mempool: { readonly count: number; readonly bytes: number };
}

export interface AccountInfo {
  readonly address: string;
  readonly balance: bigint;
  /** Nonce the next transaction must carry at the head state. */
  readonly nonce: number;
  /** Next nonce counting the account's transactions pending in the mempool. */
  readonly pendingNonce: number;
}

export interface ReceiptInfo {
  readonly status: "ok" | "failed";
  /** Error code of a failed transaction; empty when ok. */
  readonly code: string;
  readonly fee: bigint;
  readonly events: readonly { readonly type: string; readonly attributes: readonly { readonly key: string; readonly value: JsonValue }[] }[];
}

export interface TxInfo {
  readonly hash: string;
  readonly sender: string;
  readonly nonce: number;
  readonly fee: bigint;
  readonly expiry: number;
  readonly kind: string;
  readonly args: readonly JsonValue[];
  readonly keyType: string;
  readonly publicKey: string;
  readonly signature: string;
}

export interface CommitInfo {
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  readonly signatures: readonly { readonly index: number; readonly signature: string }[];
}

export interface HeaderInfo {
  readonly chainId: string;
  readonly height: number;
  readonly timestamp: number;
  readonly parentHash: string;
  readonly txRoot: string;
  readonly stateRoot: string;
  readonly receiptsRoot: string;
  readonly validatorsHash: string;
  readonly nextValidatorsHash: string;
  readonly proposer: string;
  readonly parentCommit: CommitInfo | null;
  readonly signature: string;
}

export interface BlockInfo {
  readonly hash: string;
  readonly height: number;
  readonly header: HeaderInfo;
  /** The block's own commit certificate, once known. */
  readonly commit: CommitInfo | null;
  readonly txCount: number;
  /** Without `txs: true`. */
  readonly txHashes?: readonly string[];
  /** With `txs: true`: decoded transactions, each with its receipt. */
  readonly txs?: readonly (TxInfo & { readonly receipt: ReceiptInfo | null })[];
}

export interface TxStatus {
  readonly hash: string;
  readonly status: TxState;
  readonly height?: number;
  readonly index?: number;
  readonly receipt?: ReceiptInfo;
  /** Why a rejected transaction left the mempool. */
  readonly code?: string;
}

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** One item of a batch submission, in the order sent. */
export type SubmitResult = { readonly hash: string } | { readonly error: ErrorInfo };
