import { SIGNATURE_LENGTH } from "../crypto/keyTypes.js";
import { signedPayload, type SignedPayload } from "../crypto/payload.js";
import { HASH_LENGTH } from "../crypto/hash.js";
import { encode, type Encodable } from "./codec.js";
import { TupleReader } from "./tuple.js";

/** Vote types; the numbers are on the wire and in signatures. */
export const VoteType = { PREVOTE: 1, PRECOMMIT: 2 } as const;
export type VoteType = (typeof VoteType)[keyof typeof VoteType];

/** What a validator signs when it votes: bound to chain, height, round, type and block. */
export function votePayload(chainId: string, type: VoteType, height: number, round: number, blockHash: Uint8Array): SignedPayload {
  return signedPayload(encode(["vote", chainId, type, height, round, blockHash]));
}

export interface CommitSignature {
  /** Index of the validator in the set in force at the committed height. */
  readonly index: number;
  readonly signature: Uint8Array;
}

/** A commit certificate: precommits of a quorum of validators for one block. */
export interface Commit {
  readonly height: number;
  readonly round: number;
  readonly blockHash: Uint8Array;
  /** Sorted by index, no index twice. */
  readonly signatures: readonly CommitSignature[];
}

export const MAX_COMMIT_SIGNATURES = 1024;

export function commitTuple(c: Commit): Encodable[] {
  return [c.height, c.round, c.blockHash, c.signatures.map((s) => [s.index, s.signature])];
}

export function readCommit(value: Encodable): Commit {
  const r = new TupleReader(value, "commit", 4);
  const height = r.uint("height");
  const round = r.uint("round");
  const blockHash = r.bytes("blockHash", HASH_LENGTH);
  const signatures = r.list("signatures", MAX_COMMIT_SIGNATURES).map((item) => {
    const s = new TupleReader(item, "commit.signature", 2);
    return { index: s.uint("index"), signature: s.bytes("signature", SIGNATURE_LENGTH) };
  });
  return { height, round, blockHash, signatures };
}
