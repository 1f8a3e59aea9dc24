import { equalBytes, fromHex, isHex, toHex } from "../crypto/bytes.js";
import { HASH_LENGTH } from "../crypto/hash.js";
import { PUBLIC_KEY_LENGTH } from "../crypto/keyTypes.js";
import { isAttestaError } from "../errors.js";
import { decode } from "../ledger/codec.js";
import { readCommit, type Commit } from "../ledger/commit.js";
import { checkCommit, validatorKeysHash } from "../ledger/commitCheck.js";
import { decodeHeader, headerHash, type Header } from "../ledger/header.js";
import { readStateProof, verifyStateProof, type StateProof } from "../ledger/smt/index.js";
import { DEVICE_ID_RE } from "./argChecks.js";
import { decodeDeviceRecord, deviceRecordKey, type ProvedDeviceRecord } from "./deviceRecord.js";
import type { AnomalyInfo } from "./types.js";

/** `GET /v1/devices/:id/integrity` as the node sends it (bytes as 0x hex, fees as decimal strings). */
export interface DeviceIntegrityAnswer {
  readonly id: string;
  readonly status: string;
  readonly kind: string;
  readonly owner: string;
  readonly profileId: string;
  /** As the node reports it: not covered by the proof. */
  readonly profileVersion: number | null;
  readonly bridge: string | null;
  readonly counters: { readonly txs: number; readonly readings: number; readonly anomalies: number; readonly feesPaid: string };
  readonly anomalyWindow: readonly number[];
  /** The latest flagged readings, newest first, as the node reports them: not covered by the proof. */
  readonly recentFindings: readonly AnomalyInfo[];
  readonly proof: {
    readonly height: number;
    readonly blockHash: string;
    readonly stateRoot: string;
    /** The record's state key and its canonical bytes. */
    readonly key: string;
    readonly record: string;
    /** Compressed proof: 32-byte bitmap of non-empty siblings, the siblings top-down. */
    readonly bitmap: string;
    readonly siblings: readonly string[];
    /** The finalized header and its commit certificate, msgpack-encoded (commit null only at genesis). */
    readonly header: string;
    readonly commit: string | null;
    /** Public keys of the validator set in force at that height, in set order. */
    readonly validators: readonly string[];
  };
}

/** Which check of an integrity answer failed. Stable: scripts match on them. */
export const IntegrityCheckCode = {
  /** The answer is not shaped as documented (hex, encodings, lengths). */
  MALFORMED: "MALFORMED",
  /** The header does not hash to the block the commit certifies, or disagrees with the answer's height, hash, root or chain id. */
  HEADER_MISMATCH: "HEADER_MISMATCH",
  /** The validator set used (claimed or trusted) does not hash to the header's validatorsHash. */
  VALIDATORS_MISMATCH: "VALIDATORS_MISMATCH",
  /** The commit certificate is missing or not a quorum of valid precommits of that set. */
  BAD_COMMIT: "BAD_COMMIT",
  /** The record bytes are not proved under the device's key by the header's state root. */
  BAD_PROOF: "BAD_PROOF",
  /** The proved record is not a device record, or says something else than the answer claims. */
  RECORD_MISMATCH: "RECORD_MISMATCH",
} as const;
export type IntegrityCheckCode = (typeof IntegrityCheckCode)[keyof typeof IntegrityCheckCode];

export interface VerifyIntegrityOptions {
  /** Public keys of the validator set you trust at the header's height; default: the set the answer claims. */
  readonly trustedValidators?: readonly (string | Uint8Array)[];
  /** The genesis hash you trust: needed to accept a record proved against the genesis header (no commit). */
  readonly genesisHash?: string | Uint8Array;
  /** The chain id you expect. */
  readonly chainId?: string;
}

/** What the commit certificate was checked against. */
export type IntegrityTrust = "claimed-validators" | "trusted-validators" | "genesis";

export type IntegrityVerdict =
  | {
      readonly holds: true;
      readonly deviceId: string;
      readonly chainId: string;
      readonly height: number;
      readonly blockHash: string;
      readonly stateRoot: string;
      /** The record as the proved bytes say. */
      readonly record: ProvedDeviceRecord;
      readonly trust: IntegrityTrust;
      /** What this verdict does not establish. */
      readonly caveats: readonly string[];
    }
  | { readonly holds: false; readonly code: IntegrityCheckCode; readonly message: string };

/** The caveat of a verdict that took the validator set from the answer itself. */
export const CLAIMED_SET_CAVEAT =
  "the commit was checked against the validator set the answer claims (it matches the header's validatorsHash); " +
  "nothing here links that set to one you trust until the light client checks the header chain: pass trustedValidators to pin it";
export const UNPROVED_CAVEAT = "profileVersion and recentFindings are the node's report; the proof covers the device record only";

class CheckFailed extends Error {
  constructor(readonly code: IntegrityCheckCode, message: string) {
    super(message);
  }
}

function fail(code: IntegrityCheckCode, message: string): never {
  throw new CheckFailed(code, message);
}

function bytesField(value: unknown, field: string, length?: number): Uint8Array {
  if (!isHex(value)) fail(IntegrityCheckCode.MALFORMED, `${field}: expected 0x hex`);
  const bytes = fromHex(value);
  if (length !== undefined && bytes.length !== length) fail(IntegrityCheckCode.MALFORMED, `${field}: expected ${length} bytes`);
  return bytes;
}

function listField(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(IntegrityCheckCode.MALFORMED, `${field}: expected a list`);
  return value;
}

/** Decodes with a ledger reader; any codec error is MALFORMED. */
function decodeField<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (isAttestaError(err)) fail(IntegrityCheckCode.MALFORMED, `${field}: ${err.message}`);
    throw err;
  }
}

interface Parsed {
  readonly id: string;
  readonly header: Header;
  readonly commit: Commit | null;
  readonly key: Uint8Array;
  readonly record: Uint8Array;
  readonly proof: StateProof;
  readonly validators: readonly Uint8Array[];
}

function parse(answer: DeviceIntegrityAnswer): Parsed {
  if (typeof answer !== "object" || answer === null || typeof answer.proof !== "object" || answer.proof === null) {
    fail(IntegrityCheckCode.MALFORMED, "expected an integrity answer with a proof");
  }
  const p = answer.proof;
  if (typeof answer.id !== "string" || !DEVICE_ID_RE.test(answer.id)) fail(IntegrityCheckCode.MALFORMED, "id: expected a device id");
  const headerBytes = bytesField(p.header, "proof.header");
  const header = decodeField("proof.header", () => decodeHeader(headerBytes));
  const commit = p.commit === null ? null : decodeField("proof.commit", () => readCommit(decode(bytesField(p.commit, "proof.commit"))));
  const bitmap = bytesField(p.bitmap, "proof.bitmap");
  const siblings = listField(p.siblings, "proof.siblings").map((s, i) => bytesField(s, `proof.siblings[${i}]`, HASH_LENGTH));
  const proof = decodeField("proof", () => readStateProof([bitmap, siblings, null]));
  const validators = listField(p.validators, "proof.validators").map((v, i) => bytesField(v, `proof.validators[${i}]`, PUBLIC_KEY_LENGTH.secp256k1));
  return { id: answer.id, header, commit, key: bytesField(p.key, "proof.key"), record: bytesField(p.record, "proof.record"), proof, validators };
}

function checkHeader(answer: DeviceIntegrityAnswer, { header, commit }: Parsed, opts: VerifyIntegrityOptions): Uint8Array {
  const hash = headerHash(header);
  const p = answer.proof;
  if (p.height !== header.height) fail(IntegrityCheckCode.HEADER_MISMATCH, "proof.height is not the header's height");
  if (!isHex(p.blockHash) || !equalBytes(fromHex(p.blockHash), hash)) fail(IntegrityCheckCode.HEADER_MISMATCH, "proof.blockHash is not the header's hash");
  if (!isHex(p.stateRoot) || !equalBytes(fromHex(p.stateRoot), header.stateRoot)) fail(IntegrityCheckCode.HEADER_MISMATCH, "proof.stateRoot is not the header's state root");
  if (opts.chainId !== undefined && header.chainId !== opts.chainId) fail(IntegrityCheckCode.HEADER_MISMATCH, `the header is of chain ${header.chainId}`);
  if (commit !== null) {
    if (commit.height !== header.height) fail(IntegrityCheckCode.HEADER_MISMATCH, "the commit certifies another height");
    if (!equalBytes(commit.blockHash, hash)) fail(IntegrityCheckCode.HEADER_MISMATCH, "the header does not hash to the block the commit certifies");
  }
  return hash;
}

function checkCertificate(parsed: Parsed, hash: Uint8Array, opts: VerifyIntegrityOptions): IntegrityTrust {
  const { header, commit } = parsed;
  if (commit === null) {
    if (header.height !== 0) fail(IntegrityCheckCode.BAD_COMMIT, "no commit certificate for a block after genesis");
    if (opts.genesisHash === undefined) fail(IntegrityCheckCode.BAD_COMMIT, "a genesis header has no certificate: give the genesis hash you trust");
    const trusted = typeof opts.genesisHash === "string" ? fromHex(opts.genesisHash) : opts.genesisHash;
    if (!equalBytes(trusted, hash)) fail(IntegrityCheckCode.HEADER_MISMATCH, "the header is not the trusted genesis");
    return "genesis";
  }
  const trusted = opts.trustedValidators?.map((v) => (typeof v === "string" ? fromHex(v) : v));
  const keys = trusted ?? parsed.validators;
  if (!equalBytes(validatorKeysHash(keys), header.validatorsHash)) {
    fail(IntegrityCheckCode.VALIDATORS_MISMATCH, `the ${trusted ? "trusted" : "claimed"} validator set is not the one the header names`);
  }
  try {
    checkCommit(commit, keys.map((publicKey) => ({ publicKey })), header.chainId, header.height, hash);
  } catch (err) {
    if (isAttestaError(err)) fail(IntegrityCheckCode.BAD_COMMIT, err.message);
    throw err;
  }
  return trusted ? "trusted-validators" : "claimed-validators";
}

function checkRecord(answer: DeviceIntegrityAnswer, parsed: Parsed): ProvedDeviceRecord {
  const key = deviceRecordKey(parsed.id);
  if (!equalBytes(parsed.key, key)) fail(IntegrityCheckCode.BAD_PROOF, "proof.key is not the record key of this device");
  if (!verifyStateProof(parsed.header.stateRoot, key, parsed.record, parsed.proof)) {
    fail(IntegrityCheckCode.BAD_PROOF, "the record is not proved by the header's state root");
  }
  let record: ProvedDeviceRecord;
  try {
    record = decodeDeviceRecord(parsed.record);
  } catch (err) {
    if (isAttestaError(err)) fail(IntegrityCheckCode.RECORD_MISMATCH, `the proved bytes are not a device record: ${err.message}`);
    throw err;
  }
  const c = answer.counters;
  const claims: ReadonlyArray<readonly [string, unknown, unknown]> = [
    ["id", answer.id, record.id],
    ["status", answer.status, record.status],
    ["kind", answer.kind, record.kind],
    ["owner", typeof answer.owner === "string" ? answer.owner.toLowerCase() : answer.owner, record.owner],
    ["profileId", answer.profileId, record.profileId],
    ["bridge", answer.bridge, record.bridge],
    ["counters", c && `${c.txs}/${c.readings}/${c.anomalies}/${c.feesPaid}`, `${record.counters.txs}/${record.counters.readings}/${record.counters.anomalies}/${record.counters.feesPaid}`],
    ["anomalyWindow", Array.isArray(answer.anomalyWindow) ? answer.anomalyWindow.join(",") : answer.anomalyWindow, record.anomalyWindow.join(",")],
  ];
  for (const [field, claimed, proved] of claims) {
    if (claimed !== proved) fail(IntegrityCheckCode.RECORD_MISMATCH, `${field}: the answer says ${String(claimed)}, the proved record ${String(proved)}`);
  }
  return record;
}

/**
 * Checks an integrity answer without trusting the node that gave it: the header hashes to the
 * block its commit certifies; the commit is a quorum of valid precommits of the validator set
 * (the trusted one, or by default the claimed one, checked against the header's validatorsHash);
 * the record bytes are proved under the device's own key by the header's state root; and the
 * decoded record says what the answer claims. Pure: no I/O, no clock. Never throws on bad input.
 */
export function verifyIntegrity(answer: DeviceIntegrityAnswer, opts: VerifyIntegrityOptions = {}): IntegrityVerdict {
  try {
    const parsed = parse(answer);
    const hash = checkHeader(answer, parsed, opts);
    const trust = checkCertificate(parsed, hash, opts);
    const record = checkRecord(answer, parsed);
    return {
      holds: true,
      deviceId: record.id,
      chainId: parsed.header.chainId,
      height: parsed.header.height,
      blockHash: toHex(hash),
      stateRoot: toHex(parsed.header.stateRoot),
      record,
      trust,
      caveats: trust === "claimed-validators" ? [CLAIMED_SET_CAVEAT, UNPROVED_CAVEAT] : [UNPROVED_CAVEAT],
    };
  } catch (err) {
    if (err instanceof CheckFailed) return { holds: false, code: err.code, message: err.message };
    throw err;
  }
}
