import { equalBytes } from "../crypto/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { verifySignature } from "../crypto/verify.js";
import { AttestaError } from "../errors.js";
import { encode } from "./codec.js";
import { VoteType, votePayload, type Commit } from "./commit.js";

/** Why a commit certificate is refused. The same string as BlockErrorCode.BAD_COMMIT of block import. */
export const CommitErrorCode = { BAD_COMMIT: "BAD_COMMIT" } as const;
export type CommitErrorCode = (typeof CommitErrorCode)[keyof typeof CommitErrorCode];

/** A member of the validator set, as far as a commit check needs it: its secp256k1 key. */
export interface CommitSigner {
  readonly publicKey: Uint8Array;
}

/** Votes needed for a quorum of n equal-power validators: floor(2n/3) + 1. */
export function commitQuorum(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}

/** The hash a header commits to for a validator set (validatorsHash): SHA-256 of the list of their public keys. */
export function validatorKeysHash(publicKeys: readonly Uint8Array[]): Uint8Array {
  return sha256(encode(publicKeys));
}

function bad(reason: string, details?: Record<string, unknown>): never {
  throw new AttestaError(CommitErrorCode.BAD_COMMIT, `commit certificate invalid: ${reason}`, details);
}

/**
 * Checks that `commit` certifies the block `blockHash` at `height`: a quorum of distinct
 * validators of `set` (the set in force at that height), sorted by index, each with a valid
 * precommit signature. Pure, and in the ledger so that block import, the light client and the
 * SDK share it. Throws BAD_COMMIT.
 */
export function checkCommit(commit: Commit, set: readonly CommitSigner[], chainId: string, height: number, blockHash: Uint8Array): void {
  if (commit.height !== height) bad("wrong height", { height: commit.height });
  if (!equalBytes(commit.blockHash, blockHash)) bad("wrong block");
  if (commit.signatures.length < commitQuorum(set.length)) bad("no quorum", { signatures: commit.signatures.length });
  const payload = votePayload(chainId, VoteType.PRECOMMIT, height, commit.round, blockHash);
  let previous = -1;
  for (const { index, signature } of commit.signatures) {
    if (index <= previous) bad("signatures not sorted by distinct index", { index });
    previous = index;
    const validator = set[index];
    if (validator === undefined) bad("unknown validator index", { index });
    if (!verifySignature("secp256k1", validator.publicKey, signature, payload)) bad("bad signature", { index });
  }
}
