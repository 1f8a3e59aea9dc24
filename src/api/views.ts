import type { Counters } from "../contracts/modules/accounts.js";
import { profileSpecToJson } from "../contracts/modules/profiles/index.js";
import type { ProfileVersion } from "../contracts/modules/profiles/spec.js";
import type { Finding } from "../contracts/modules/readings/findings.js";
import { toHex } from "../crypto/bytes.js";
import { encode } from "../ledger/codec.js";
import { commitTuple, type Commit } from "../ledger/commit.js";
import { encodeHeader, type Header } from "../ledger/header.js";
import type { Receipt } from "../ledger/receipt.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import type {
  AccountView,
  DeviceIntegrityView,
  DeviceView,
  LicenceView,
  NodeStatus,
  OfferView,
  ReadingView,
  StoredBlock,
  TxStatusView,
  ValidatorsView,
} from "../node/types.js";
import type { ReadingVerdict, Verdict } from "../inspect/verdict.js";
import { jsonValue, type Json } from "./jsonValue.js";

// JSON views of what the node returns: bigints as decimal strings, bytes as 0x hex.
// The SDK (src/client/types.ts) describes the same shapes from the caller's side.

export function statusJson(s: NodeStatus) {
  return {
    chainId: s.chainId,
    genesisHash: toHex(s.genesisHash),
    height: s.height,
    headHash: toHex(s.headHash),
    headTimestamp: s.headTimestamp,
    finalizedHeight: s.finalizedHeight,
    validators: s.validators.map(toHex),
    mode: s.mode,
    version: s.version,
    params: {
      feePerByte: s.params.feePerByte.toString(),
      maxTxBytes: s.params.maxTxBytes,
      blockPeriodMs: s.params.blockPeriodMs,
    },
    mempool: { count: s.mempool.count, bytes: s.mempool.bytes },
    ...(s.consensus !== undefined ? { consensus: { ...s.consensus } } : {}),
    ...(s.network !== undefined ? { network: { ...s.network, addresses: [...s.network.addresses], gossip: { ...s.network.gossip } } } : {}),
    ...(s.sync !== undefined ? { sync: { ...s.sync } } : {}),
  };
}

export function commitJson(c: Commit) {
  return {
    height: c.height,
    round: c.round,
    blockHash: toHex(c.blockHash),
    signatures: c.signatures.map((s) => ({ index: s.index, signature: toHex(s.signature) })),
  };
}

export function headerJson(h: Header) {
  return {
    chainId: h.chainId,
    height: h.height,
    timestamp: h.timestamp,
    parentHash: toHex(h.parentHash),
    txRoot: toHex(h.txRoot),
    stateRoot: toHex(h.stateRoot),
    receiptsRoot: toHex(h.receiptsRoot),
    validatorsHash: toHex(h.validatorsHash),
    nextValidatorsHash: toHex(h.nextValidatorsHash),
    proposer: toHex(h.proposer),
    parentCommit: h.parentCommit === null ? null : commitJson(h.parentCommit),
    signature: toHex(h.signature),
  };
}

export function receiptJson(r: Receipt) {
  return {
    status: r.status,
    code: r.code,
    fee: r.fee.toString(),
    events: r.events.map((e) => ({
      type: e.type,
      attributes: e.attributes.map(([key, value]) => ({ key, value: jsonValue(value) })),
    })),
  };
}

export function txJson(tx: SignedTransaction) {
  return {
    hash: toHex(tx.hash),
    sender: toHex(tx.sender),
    nonce: tx.nonce,
    fee: tx.fee.toString(),
    expiry: tx.expiry,
    kind: tx.kind,
    args: tx.args.map((a) => jsonValue(a)),
    keyType: tx.keyType,
    publicKey: toHex(tx.publicKey),
    signature: toHex(tx.signature),
  };
}

/** A block; with `withTxs`, its decoded transactions each with their receipt, else their hashes. */
export function blockJson(stored: StoredBlock, withTxs: boolean) {
  const { block } = stored;
  return {
    hash: toHex(stored.hash),
    height: block.header.height,
    header: headerJson(block.header),
    commit: stored.commit === undefined ? null : commitJson(stored.commit),
    txCount: block.txs.length,
    ...(withTxs
      ? {
          txs: block.txs.map((tx, i) => {
            const receipt = stored.receipts[i];
            return { ...txJson(tx), receipt: receipt === undefined ? null : receiptJson(receipt) };
          }),
        }
      : { txHashes: block.txs.map((tx) => toHex(tx.hash)) }),
  };
}

export function txStatusJson(hash: Uint8Array, v: TxStatusView) {
  const out: Record<string, Json> = { hash: toHex(hash), status: v.status };
  if (v.height !== undefined) out.height = v.height;
  if (v.index !== undefined) out.index = v.index;
  if (v.receipt !== undefined) out.receipt = receiptJson(v.receipt);
  if (v.code !== undefined) out.code = v.code;
  return out;
}

export function countersJson(c: Counters) {
  return { txs: c.txs, readings: c.readings, anomalies: c.anomalies, feesPaid: c.feesPaid.toString() };
}

export function accountJson(a: AccountView) {
  return {
    address: toHex(a.address),
    balance: a.balance.toString(),
    nonce: a.nonce,
    pendingNonce: a.pendingNonce,
    roles: [...a.roles],
    counters: countersJson(a.counters),
  };
}

/** A device: its record flattened, with the address of its key, profile version, last reading and lateness. */
export function deviceJson(v: DeviceView) {
  const d = v.record;
  return {
    id: d.id,
    status: d.status,
    kind: d.kind,
    keyType: d.keyType,
    publicKey: toHex(d.publicKey),
    address: toHex(v.address),
    owner: toHex(d.owner),
    profileId: d.profileId,
    profileVersion: v.profileVersion,
    bridge: d.bridge,
    zone: d.zone,
    meta: d.meta,
    registeredAt: d.registeredAt,
    nonce: d.nonce,
    pendingNonce: v.pendingNonce,
    lastReading: v.lastReading === null ? null : { seq: v.lastReading.seq, ts: v.lastReading.ts },
    late: v.late,
    anomalyWindow: [...d.anomalyWindow],
    counters: countersJson(d.counters),
  };
}

export function findingJson(f: Finding) {
  return { code: f.code, metric: f.metric, value: jsonValue(f.value), bound: jsonValue(f.bound) };
}

/** A reading (or an anomaly: a reading with findings), where it is on chain and what the profile found. */
export function readingJson(r: ReadingView) {
  return {
    deviceId: r.deviceId,
    seq: r.seq,
    ts: r.ts,
    height: r.height,
    txIndex: r.txIndex,
    index: r.index,
    values: r.values.map(([name, value]) => [name, jsonValue(value)]),
    findings: r.findings.map(findingJson),
    profile: r.profile,
    version: r.version,
  };
}

/**
 * A device's integrity answer: what the record says (status, profile, owner, counters), the
 * node's recent findings, and under `proof` the canonical bytes a consumer checks without
 * trusting the node: record and key, the compressed state proof (bitmap + non-empty siblings,
 * top-down), the finalized header and its commit certificate (both msgpack-encoded), and the
 * validator set in force at that height (public keys, in set order).
 */
export function deviceIntegrityJson(v: DeviceIntegrityView) {
  const d = v.record;
  return {
    id: d.id,
    status: d.status,
    kind: d.kind,
    owner: toHex(d.owner),
    profileId: d.profileId,
    profileVersion: v.profileVersion,
    bridge: d.bridge,
    counters: countersJson(d.counters),
    anomalyWindow: [...d.anomalyWindow],
    recentFindings: v.recentFindings.map(readingJson),
    proof: {
      height: v.header.height,
      blockHash: toHex(v.blockHash),
      stateRoot: toHex(v.header.stateRoot),
      key: toHex(v.key),
      record: toHex(v.recordBytes),
      bitmap: toHex(v.proof.bitmap),
      siblings: v.proof.siblings.map(toHex),
      header: toHex(encodeHeader(v.header)),
      commit: v.commit === null ? null : toHex(encode(commitTuple(v.commit))),
      validators: v.validators.map((val) => toHex(val.publicKey)),
    },
  };
}

/** A profile version with its spec as the JSON document `profiles.publish` takes. */
export function profileJson(p: ProfileVersion) {
  return { id: p.id, version: p.version, publishedAt: p.publishedAt, spec: jsonValue(profileSpecToJson(p.spec)) };
}

export function validatorsJson(v: ValidatorsView) {
  return {
    validators: v.validators.map((val) => ({ address: toHex(val.address), publicKey: toHex(val.publicKey) })),
    votes: v.votes.map((vote) => ({ target: toHex(vote.target), add: vote.add, voters: vote.voters.map(toHex) })),
  };
}

export function offerJson(o: OfferView) {
  return {
    id: o.id,
    owner: toHex(o.owner),
    feed: o.feed,
    pricePerPeriod: o.pricePerPeriod.toString(),
    periodSeconds: o.periodSeconds,
    terms: o.terms,
    open: o.open,
  };
}

export function licenceJson(l: LicenceView) {
  return { buyer: toHex(l.buyer), feed: l.feed, expiresAt: l.expiresAt };
}

function readingVerdictJson(r: ReadingVerdict) {
  return { deviceId: r.deviceId, seq: r.seq, status: r.code === "" ? "ok" : "failed", code: r.code, findings: r.findings.map(findingJson) };
}

/**
 * An inspection verdict: `verdict` ("accept" | "flag" | "reject"), `code` when rejected,
 * `findings` when flagged (every accepted reading's, in order), `readings` for readings methods
 * (each reading's outcome), and the transaction's `hash` once known.
 */
export function verdictJson(v: Verdict, hash?: Uint8Array) {
  return {
    ...(hash !== undefined ? { hash: toHex(hash) } : {}),
    verdict: v.kind,
    ...(v.kind === "reject" ? { code: v.code, stage: v.stage, message: v.error.message, details: jsonValue(v.error.details ?? {}) } : {}),
    ...(v.kind === "flag" ? { findings: v.findings.map(findingJson) } : {}),
    ...(v.readings !== undefined ? { readings: v.readings.map(readingVerdictJson) } : {}),
  };
}
