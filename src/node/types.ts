import type { AttestaError } from "../errors.js";
import type { Block } from "../ledger/block.js";
import type { Commit } from "../ledger/commit.js";
import type { Receipt } from "../ledger/receipt.js";

export type NodeMode = "validator" | "full";

/** What `GET /v1/status` shows. */
export interface NodeStatus {
  readonly chainId: string;
  readonly genesisHash: Uint8Array;
  readonly height: number;
  readonly headHash: Uint8Array;
  readonly headTimestamp: number;
  readonly finalizedHeight: number;
  /** Addresses of the validator set in force at the next height. */
  readonly validators: readonly Uint8Array[];
  readonly mode: NodeMode;
  readonly version: string;
  /** Chain parameters a client needs to build transactions. */
  readonly params: { readonly feePerByte: bigint; readonly maxTxBytes: number; readonly blockPeriodMs: number };
  readonly mempool: { readonly count: number; readonly bytes: number };
}

export type TxState = "pending" | "included" | "final" | "rejected";

export interface TxStatusView {
  readonly status: TxState;
  /** For included/final: where it is. */
  readonly height?: number;
  readonly index?: number;
  readonly receipt?: Receipt;
  /** For rejected: why it left the mempool without being included. */
  readonly code?: string;
}

export interface AccountView {
  readonly address: Uint8Array;
  readonly balance: bigint;
  /** Nonce the next transaction must carry at the head state. */
  readonly nonce: number;
  /** Next nonce counting this sender's transactions already pending in the mempool. */
  readonly pendingNonce: number;
}

export interface StoredBlock {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly receipts: readonly Receipt[];
  /** Commit certificate of this block, once known (the head's comes from consensus, others from the child header). */
  readonly commit: Commit | undefined;
}

/** The node as the API and the CLI see it. */
export interface NodeService {
  status(): NodeStatus;
  blockByHeight(height: number): Promise<StoredBlock | undefined>;
  blockByHash(hash: Uint8Array): Promise<StoredBlock | undefined>;
  /** Admits a transaction into the mempool; throws AttestaError with a TxErrorCode when refused. */
  submitTx(bytes: Uint8Array): Promise<{ readonly hash: Uint8Array }>;
  /**
   * Admits a batch in order (consecutive nonces of one sender succeed), verifying its
   * signatures in parallel; one result per transaction: its hash, or why it was refused.
   */
  submitTxs(list: readonly Uint8Array[]): Promise<Array<{ readonly hash: Uint8Array } | { readonly error: AttestaError }>>;
  /** undefined when the node has never seen the hash. */
  txStatus(hash: Uint8Array): Promise<TxStatusView | undefined>;
  account(address: Uint8Array): Promise<AccountView>;
}
