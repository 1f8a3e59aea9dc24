// What the API answers, as the SDK hands it back: hashes, addresses and other bytes as 0x
// hex strings; amounts (balances, fees, fee rates) converted to bigint; transaction args
// and event values as the API renders them (bytes → hex, bigint → decimal string).

import type { DeviceKind } from "./deviceArgs.js";
import type { Role } from "./governanceArgs.js";

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
  /** Validators only: the height and round being decided and consensus counters (docs/consensus.md). */
  readonly consensus?: {
    readonly height: number;
    readonly round: number;
    readonly rounds: number;
    readonly invalidMessages: number;
    readonly refusedSignatures: number;
    readonly evidence: number;
  };
  /** The peer-to-peer network (absent when the node runs with --no-p2p; docs/network.md). */
  readonly network?: {
    readonly peerId: string;
    readonly addresses: readonly string[];
    readonly peers: number;
    readonly banned: number;
    readonly faults: number;
    readonly gossip: { readonly accept: number; readonly ignore: number; readonly reject: number };
  };
  /** Range sync: whether it runs, the best finalized height peers report, blocks it imported. */
  readonly sync?: { readonly syncing: boolean; readonly target: number; readonly imported: number };
}

export interface AccountInfo {
  readonly address: string;
  readonly balance: bigint;
  /** Nonce the next transaction must carry at the head state. */
  readonly nonce: number;
  /** Next nonce counting the account's transactions pending in the mempool. */
  readonly pendingNonce: number;
  readonly roles: readonly Role[];
  /** Transactions signed, readings and anomalies of its devices, fees paid (its own and its devices'). */
  readonly counters: CountersInfo;
}

/** Accounting of an account or a device. */
export interface CountersInfo {
  readonly txs: number;
  readonly readings: number;
  readonly anomalies: number;
  readonly feesPaid: bigint;
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

/** What the inspection stage made of a transaction or a reading: `reject` never enters the mempool; `flag` is admitted and recorded as an anomaly. */
export type VerdictKind = "accept" | "flag" | "reject";

/** One reading of a verdict: accepted (status ok, maybe with findings) or rejected with a code. */
export interface ReadingVerdictInfo {
  readonly deviceId: string;
  readonly seq: number;
  readonly status: "ok" | "failed";
  readonly code: string;
  readonly findings: readonly FindingInfo[];
}

/** A verdict as the API answers it (`POST /v1/txs`, `POST /v1/inspect`). */
export interface VerdictInfo {
  /** The transaction's hash (absent for a bare reading, or bytes that do not decode). */
  readonly hash?: string;
  readonly verdict: VerdictKind;
  /** For `reject`: the code, the pipeline stage that decided (stateless, signature, stateful, dry_run, mempool), and the error's message and details. */
  readonly code?: string;
  readonly stage?: string;
  readonly message?: string;
  readonly details?: JsonValue;
  /** For `flag`: every accepted reading's findings, in order. */
  readonly findings?: readonly FindingInfo[];
  /** For readings methods: each reading's outcome. */
  readonly readings?: readonly ReadingVerdictInfo[];
}

/** An admitted transaction: its hash and verdict (`accept` or `flag`). */
export type AdmittedInfo = VerdictInfo & { readonly hash: string };

/** One item of a batch submission, in the order sent. */
export type SubmitResult = AdmittedInfo | { readonly error: ErrorInfo };

export type DeviceStatus = "active" | "suspended" | "revoked";

/** `GET /v1/devices/:id`: the device's record and what the node derives from it. */
export interface DeviceInfo {
  readonly id: string;
  readonly status: DeviceStatus;
  readonly kind: DeviceKind;
  readonly keyType: string;
  readonly publicKey: string;
  /** The address of its current key: the sender of its transactions. */
  readonly address: string;
  /** The account that pays its fees. */
  readonly owner: string;
  readonly profileId: string;
  /** The profile version in force for its next reading (null if the profile has none yet). */
  readonly profileVersion: number | null;
  readonly bridge: string | null;
  readonly zone: string | null;
  readonly meta: string | null;
  /** Height at which it was registered. */
  readonly registeredAt: number;
  /** The nonce its next transaction must carry at the head state. */
  readonly nonce: number;
  /** Next nonce counting its transactions pending in the mempool. */
  readonly pendingNonce: number;
  readonly lastReading: { readonly seq: number; readonly ts: number } | null;
  /** Silent longer than its profile's interval.maxSeconds (judged from the head block time). */
  readonly late: boolean;
  /** Reading times (ms) of its recent flagged readings, for the profile's suspension policy. */
  readonly anomalyWindow: readonly number[];
  readonly counters: CountersInfo;
}

/** One finding of the profile check: a code such as OUT_OF_RANGE, the metric ("" for the whole reading), the value and the bound it crossed. */
export interface FindingInfo {
  readonly code: string;
  readonly metric: string;
  readonly value: number;
  readonly bound: number;
}

/** An accepted reading, where it is on chain, and what the profile check found. */
export interface ReadingInfo {
  readonly deviceId: string;
  readonly seq: number;
  readonly ts: number;
  readonly height: number;
  readonly txIndex: number;
  readonly index: number;
  readonly values: ReadonlyArray<readonly [string, number]>;
  readonly findings: readonly FindingInfo[];
  /** The profile and version it was checked against. */
  readonly profile: string;
  readonly version: number;
}

/** A flagged reading: an accepted reading with findings. */
export type AnomalyInfo = ReadingInfo;

export interface MetricSpecInfo {
  readonly unit: string;
  readonly min?: number;
  readonly max?: number;
  readonly hardMin?: number;
  readonly hardMax?: number;
  readonly maxDeltaPerSecond?: number;
  readonly required: boolean;
}

/** A behaviour profile's spec, as JSON. */
export interface ProfileSpecInfo {
  readonly metrics: Readonly<Record<string, MetricSpecInfo>>;
  readonly interval?: { readonly minSeconds?: number; readonly maxSeconds?: number };
  readonly maxPayloadBytes?: number;
  readonly stuck?: { readonly repeats: number };
  readonly drift?: { readonly weight: number; readonly zScore: number; readonly warmup: number };
  readonly policy?: { readonly suspendAfter?: { readonly anomalies: number; readonly windowSeconds: number } };
}

/** `GET /v1/profiles/:id`: one published version. */
export interface ProfileInfo {
  readonly id: string;
  readonly version: number;
  /** Height of the block that published it; devices follow it from the next block on. */
  readonly publishedAt: number;
  readonly spec: ProfileSpecInfo;
}

/** `GET /v1/validators`: the set in force and the open votes. */
export interface ValidatorsInfo {
  readonly validators: readonly { readonly address: string; readonly publicKey: string }[];
  readonly votes: readonly { readonly target: string; readonly add: boolean; readonly voters: readonly string[] }[];
}

export interface OfferInfo {
  readonly id: number;
  readonly owner: string;
  /** `device:<id>` or `zone:<zone>`. */
  readonly feed: string;
  readonly pricePerPeriod: bigint;
  readonly periodSeconds: number;
  readonly terms: string;
  readonly open: boolean;
}

export interface LicenceInfo {
  readonly buyer: string;
  readonly feed: string;
  /** ms since the epoch, in block time. */
  readonly expiresAt: number;
}

/** What block execution made of one reading (a `reading` event of a receipt). */
export interface ReadingOutcome {
  readonly device: string;
  readonly seq: number;
  readonly ts: number;
  readonly status: "ok" | "failed";
  /** Why it failed (e.g. HARD_VIOLATION, SEQ_REPLAY); empty when ok. */
  readonly code: string;
  readonly profile: string;
  readonly version: number;
  readonly values: ReadonlyArray<readonly [string, number]>;
  readonly findings: readonly FindingInfo[];
}
