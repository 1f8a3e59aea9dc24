import { ADDRESS_LENGTH } from "../crypto/address.js";
import { equalBytes } from "../crypto/bytes.js";
import { HASH_LENGTH } from "../crypto/hash.js";
import { SIGNATURE_LENGTH } from "../crypto/keyTypes.js";
import { signedPayload, type SignedPayload } from "../crypto/payload.js";
import { decodeBlock, encodeBlock, type Block } from "./block.js";
import { decode, encode, type Encodable } from "./codec.js";
import { commitTuple, readCommit, VoteType, votePayload, type Commit } from "./commit.js";
import { malformed, TupleReader } from "./tuple.js";

/**
 * What validators sign during consensus, and how it travels. A statement is a proposal, a
 * prevote or a precommit, bound to chain id, height, round, type and block hash; a vote for
 * nil carries an empty block hash. Precommit signatures are the ones a commit certificate
 * collects (ledger/commit.ts), so one format serves both.
 */
export const StatementKind = { PROPOSAL: 0, PREVOTE: VoteType.PREVOTE, PRECOMMIT: VoteType.PRECOMMIT } as const;
export type StatementKind = (typeof StatementKind)[keyof typeof StatementKind];

/** The empty block hash of a vote for nil. */
export const NIL_HASH = new Uint8Array(0);

/** A signed statement, without the block: what votes carry and evidence keeps. */
export interface Statement {
  readonly kind: StatementKind;
  readonly height: number;
  readonly round: number;
  /** Proposals only: the round whose prevote quorum the proposer saw for this block, or -1. */
  readonly validRound: number;
  /** Empty for a vote for nil. */
  readonly blockHash: Uint8Array;
  readonly signature: Uint8Array;
}

export function proposalPayload(chainId: string, height: number, round: number, validRound: number, blockHash: Uint8Array): SignedPayload {
  return signedPayload(encode(["proposal", chainId, height, round, validRound < 0 ? null : validRound, blockHash]));
}

/** The bytes a statement's signature covers. */
export function statementPayload(chainId: string, s: Omit<Statement, "signature">): SignedPayload {
  return s.kind === StatementKind.PROPOSAL
    ? proposalPayload(chainId, s.height, s.round, s.validRound, s.blockHash)
    : votePayload(chainId, s.kind, s.height, s.round, s.blockHash);
}

/** Two statements of one signer contradict each other: same kind, height and round, different content. */
export function conflicting(a: Statement, b: Statement): boolean {
  if (a.kind !== b.kind || a.height !== b.height || a.round !== b.round) return false;
  return !equalBytes(a.blockHash, b.blockHash) || a.validRound !== b.validRound;
}

function statementTuple(s: Statement): Encodable[] {
  return [s.kind, s.height, s.round, s.validRound < 0 ? null : s.validRound, s.blockHash, s.signature];
}

function readStatement(value: Encodable): Statement {
  const r = new TupleReader(value, "statement", 6);
  const kind = r.uint("kind");
  if (kind !== StatementKind.PROPOSAL && kind !== StatementKind.PREVOTE && kind !== StatementKind.PRECOMMIT) {
    malformed("statement", "kind", "0, 1 or 2");
  }
  const height = r.uint("height");
  const round = r.uint("round");
  const validRound = r.optional("validRound", (v) => new TupleReader([v], "statement", 1).uint("validRound")) ?? -1;
  const blockHash = r.bytes("blockHash", undefined, HASH_LENGTH);
  if (blockHash.length !== HASH_LENGTH && (blockHash.length !== 0 || kind === StatementKind.PROPOSAL)) {
    malformed("statement", "blockHash", `${HASH_LENGTH} bytes (empty for a nil vote)`);
  }
  const signature = r.bytes("signature", SIGNATURE_LENGTH);
  return { kind, height, round, validRound: kind === StatementKind.PROPOSAL ? validRound : -1, blockHash, signature };
}

/** Evidence of equivocation: two conflicting statements signed by one validator. */
export interface Evidence {
  readonly offender: Uint8Array;
  readonly a: Statement;
  readonly b: Statement;
}

export function evidenceTuple(e: Evidence): Encodable[] {
  return [e.offender, statementTuple(e.a), statementTuple(e.b)];
}

export function readEvidence(value: Encodable): Evidence {
  const r = new TupleReader(value, "evidence", 3);
  return { offender: r.bytes("offender", ADDRESS_LENGTH), a: readStatement(r.any()), b: readStatement(r.any()) };
}

/**
 * A consensus message on the wire. `index` is the signer's position in the validator set in
 * force at the height; the receiver checks the signature against that set. A proposal carries
 * its whole block; `decision` carries a decided block and its commit certificate, so a
 * validator a height behind catches up without a sync protocol.
 */
export type WireMessage =
  | { readonly type: "proposal"; readonly index: number; readonly statement: Statement; readonly block: Block }
  | { readonly type: "vote"; readonly index: number; readonly statement: Statement }
  | { readonly type: "evidence"; readonly evidence: Evidence }
  | { readonly type: "decision"; readonly block: Block; readonly commit: Commit }
  | { readonly type: "catchup"; readonly fromHeight: number };

const WIRE_TYPES = ["proposal", "vote", "evidence", "decision", "catchup"] as const;

export function encodeWireMessage(m: WireMessage): Uint8Array {
  switch (m.type) {
    case "proposal":
      return encode([0, m.index, statementTuple(m.statement), encodeBlock(m.block)]);
    case "vote":
      return encode([1, m.index, statementTuple(m.statement)]);
    case "evidence":
      return encode([2, evidenceTuple(m.evidence)]);
    case "decision":
      return encode([3, encodeBlock(m.block), commitTuple(m.commit)]);
    case "catchup":
      return encode([4, m.fromHeight]);
  }
}

/** Strict decode; throws MALFORMED / NON_CANONICAL on anything else. */
export function decodeWireMessage(bytes: Uint8Array): WireMessage {
  const value = decode(bytes);
  const tag = Array.isArray(value) ? value[0] : undefined;
  const type = typeof tag === "number" ? WIRE_TYPES[tag] : undefined;
  switch (type) {
    case "proposal": {
      const r = new TupleReader(value, "proposal", 4);
      r.uint("tag");
      const index = r.uint("index");
      const statement = readStatement(r.any());
      const block = decodeBlock(r.bytes("block"));
      return { type, index, statement, block };
    }
    case "vote": {
      const r = new TupleReader(value, "vote", 3);
      r.uint("tag");
      return { type, index: r.uint("index"), statement: readStatement(r.any()) };
    }
    case "evidence": {
      const r = new TupleReader(value, "evidence", 2);
      r.uint("tag");
      return { type, evidence: readEvidence(r.any()) };
    }
    case "decision": {
      const r = new TupleReader(value, "decision", 3);
      r.uint("tag");
      return { type, block: decodeBlock(r.bytes("block")), commit: readCommit(r.any()) };
    }
    case "catchup": {
      const r = new TupleReader(value, "catchup", 2);
      r.uint("tag");
      return { type, fromHeight: r.uint("fromHeight") };
    }
    default:
      return malformed("message", "type", "a known message tag");
  }
}
