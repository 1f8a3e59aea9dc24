import type { AttestaError } from "../errors.js";
import type { Role } from "../contracts/modules/access.js";
import type { Counters } from "../contracts/modules/accounts.js";
import type { DeviceRecord } from "../contracts/modules/devices/types.js";
import type { ProfileVersion } from "../contracts/modules/profiles/spec.js";
import type { Finding } from "../contracts/modules/readings/findings.js";
import type { Licence, Offer } from "../contracts/modules/market/state.js";
import type { Validator } from "../contracts/modules/validators.js";
import type { Block } from "../ledger/block.js";
import type { Commit } from "../ledger/commit.js";
import type { Header } from "../ledger/header.js";
import type { Receipt } from "../ledger/receipt.js";
import type { BareReading } from "../inspect/dryRun.js";
import type { PipelineObserver } from "../inspect/pipeline.js";
import type { Verdict } from "../inspect/verdict.js";
import type { StateProof } from "../ledger/smt/index.js";

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
  /** The height and round consensus is deciding, and its counters; absent on a node that does not validate. */
  readonly consensus?: ConsensusStatus;
  /** The peer-to-peer network (absent with --no-p2p). */
  readonly network?: NetworkStatus;
  /** Catching up with peers (absent with --no-p2p). */
  readonly sync?: SyncStatus;
}

export interface NetworkStatus {
  readonly peerId: string;
  /** Addresses others can dial, each ending in /p2p/<peerId>. */
  readonly addresses: readonly string[];
  readonly peers: number;
  /** Peers refused for sending invalid data, now. */
  readonly banned: number;
  /** Faults counted against peers (invalid gossip, bad or excess requests). */
  readonly faults: number;
  /** Gossip messages received, by what validation made of them. */
  readonly gossip: { readonly accept: number; readonly ignore: number; readonly reject: number };
}

export interface SyncStatus {
  readonly syncing: boolean;
  /** The best finalized height connected peers report. */
  readonly target: number;
  /** Blocks imported by sync since start. */
  readonly imported: number;
}

export interface ConsensusStatus {
  readonly height: number;
  readonly round: number;
  /** Rounds above 0 started (each one a proposer that did not get its block decided in time). */
  readonly rounds: number;
  readonly invalidMessages: number;
  readonly refusedSignatures: number;
  readonly evidence: number;
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
  readonly roles: readonly Role[];
  /** Transactions signed, readings and anomalies of its devices, fees paid (its own and its devices'). */
  readonly counters: Counters;
}

/** `GET /v1/devices/:id`. */
export interface DeviceView {
  readonly record: DeviceRecord;
  /** The address of its current key: the sender of its transactions. */
  readonly address: Uint8Array;
  /** The profile version in force for its next reading (null if the profile has none yet). */
  readonly profileVersion: number | null;
  readonly lastReading: { readonly seq: number; readonly ts: number } | null;
  /** Next nonce counting its transactions pending in the mempool. */
  readonly pendingNonce: number;
  /** Silent longer than its profile's interval.maxSeconds, judged from its last reading and the head block time. */
  readonly late: boolean;
}

/** Why `deviceIntegrity` has no answer now. Stable. */
export const IntegrityErrorCode = {
  /** The record (or the validator set) changed in a block that is not final yet: ask again after the next block. */
  NOT_FINALIZED: "NOT_FINALIZED",
} as const;
export type IntegrityErrorCode = (typeof IntegrityErrorCode)[keyof typeof IntegrityErrorCode];

/**
 * `GET /v1/devices/:id/integrity`: a device's record as of the latest finalized block, with what
 * a consumer needs to check it without trusting the node: the record's state key and encoded
 * bytes, their proof against that header's state root, the header, its commit certificate and
 * the validator set that signed it.
 */
export interface DeviceIntegrityView {
  readonly record: DeviceRecord;
  /** The record's state key and its canonical encoded bytes (the proved value). */
  readonly key: Uint8Array;
  readonly recordBytes: Uint8Array;
  /** The profile version in force for its next reading (as the node reports it; not proved). */
  readonly profileVersion: number | null;
  /** Its latest flagged readings, newest first (from the node's index; not proved). */
  readonly recentFindings: readonly AnomalyView[];
  readonly proof: StateProof;
  /** The latest finalized header; the proof is against its stateRoot. */
  readonly header: Header;
  readonly blockHash: Uint8Array;
  /** The certificate of that block (null only for the genesis block). */
  readonly commit: Commit | null;
  /** The validator set in force at the header's height (hashes to its validatorsHash). */
  readonly validators: readonly Validator[];
}

/** One accepted reading, from the readings index. */
export interface ReadingView {
  readonly deviceId: string;
  readonly seq: number;
  readonly ts: number;
  readonly height: number;
  /** Position: transaction index in the block, reading index in the transaction. */
  readonly txIndex: number;
  readonly index: number;
  readonly values: ReadonlyArray<readonly [string, number]>;
  readonly findings: readonly Finding[];
  readonly profile: string;
  readonly version: number;
}

/** A flagged reading (an accepted reading with findings). */
export type AnomalyView = ReadingView;

export interface ValidatorsView {
  readonly validators: readonly Validator[];
  readonly votes: ReadonlyArray<{ readonly target: Uint8Array; readonly add: boolean; readonly voters: readonly Uint8Array[] }>;
}

/** A data-feed offer and a licence, as the market module keeps them. */
export type OfferView = Offer;
export type LicenceView = Licence;

export interface StoredBlock {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly receipts: readonly Receipt[];
  /** Commit certificate of this block, once known (the head's comes from consensus, others from the child header). */
  readonly commit: Commit | undefined;
}

/** An admitted transaction. */
export interface SubmitAccepted {
  readonly hash: Uint8Array;
  readonly verdict: Exclude<Verdict, { kind: "reject" }>;
}

/** A refused one: the rejection's error (its code, its details). */
export interface SubmitRefused {
  readonly error: AttestaError;
  readonly hash?: Uint8Array;
  readonly verdict?: Extract<Verdict, { kind: "reject" }>;
}

/** What `POST /v1/inspect` asks about: a signed transaction, or a bare reading (`ts` defaults to now). */
export type InspectRequest = { readonly tx: Uint8Array } | { readonly reading: Omit<BareReading, "ts"> & { readonly ts?: number } };

export interface InspectResult {
  readonly verdict: Verdict;
  /** The transaction's hash, once decoded. */
  readonly hash?: Uint8Array;
}

/** The node as the API and the CLI see it. */
export interface NodeService {
  status(): NodeStatus;
  blockByHeight(height: number): Promise<StoredBlock | undefined>;
  blockByHash(hash: Uint8Array): Promise<StoredBlock | undefined>;
  /**
   * Admits a transaction into the mempool through the inspection pipeline: its hash and
   * verdict (`accept` or `flag`); throws AttestaError with the code when the verdict is `reject`.
   */
  submitTx(bytes: Uint8Array): Promise<SubmitAccepted>;
  /**
   * Admits a batch in order (consecutive nonces of one sender succeed), verifying its
   * signatures in parallel; one result per transaction: its hash and verdict, or why it was refused.
   */
  submitTxs(list: readonly Uint8Array[]): Promise<Array<SubmitAccepted | SubmitRefused>>;
  /**
   * The inspection pipeline without admission (`POST /v1/inspect`): the verdict a signed
   * transaction would get (nothing enters the mempool), or that of a bare reading checked
   * against its device's profile in force and reading state. Absent on test doubles.
   */
  inspect?(request: InspectRequest): Promise<InspectResult>;
  /** Subscribes to the admission pipeline's stage timings and verdicts (for metrics); returns the unsubscribe. */
  observeInspection?(observer: PipelineObserver): () => void;
  /** The signature verification pool: jobs in flight and worker threads (0: inline). */
  verifyPoolLoad?(): { readonly inFlight: number; readonly workers: number };
  /** undefined when the node has never seen the hash. */
  txStatus(hash: Uint8Array): Promise<TxStatusView | undefined>;
  account(address: Uint8Array): Promise<AccountView>;
}

/** The device-attestation queries of the node (the devices, profiles, readings, market and validators modules). */
export interface AttestationQueries {
  /** undefined for an unknown device. */
  device(id: string): Promise<DeviceView | undefined>;
  /** Accepted readings of a device by ascending seq, from `from` (a seq) on. */
  deviceReadings(id: string, opts: { readonly from?: number; readonly limit: number }): Promise<ReadingView[]>;
  /**
   * A device's record proved against the latest finalized header (undefined for an unknown
   * device); throws AttestaError NOT_FINALIZED while its record changes in a block not yet final.
   */
  deviceIntegrity(id: string): Promise<DeviceIntegrityView | undefined>;
  /** A device's flagged readings, newest first. */
  deviceAnomalies(id: string, opts: { readonly limit: number }): Promise<AnomalyView[]>;
  /** Flagged readings across the chain by ascending height, from `fromHeight` on. */
  anomalies(opts: { readonly fromHeight?: number; readonly limit: number }): Promise<AnomalyView[]>;
  /** The newest version, or `version`; undefined if unknown. */
  profile(id: string, version?: number): Promise<ProfileVersion | undefined>;
  validators(): Promise<ValidatorsView>;
  marketOffers(opts: { readonly from?: number; readonly limit: number }): Promise<OfferView[]>;
  licences(buyer: Uint8Array): Promise<LicenceView[]>;
}
