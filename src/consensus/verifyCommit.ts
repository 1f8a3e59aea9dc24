import { equalBytes } from "../crypto/bytes.js";
import { verifySignature } from "../crypto/verify.js";
import type { ValidatorSet } from "../contracts/modules/validators.js";
import { AttestaError } from "../errors.js";
import { VoteType, votePayload, type Commit } from "../ledger/commit.js";
import { BlockErrorCode } from "../contracts/errors.js";
import { quorum } from "./proposer.js";

function bad(reason: string, details?: Record<string, unknown>): never {
  throw new AttestaError(BlockErrorCode.BAD_COMMIT, `commit certificate invalid: ${reason}`, details);
}

/**
 * Checks that `commit` certifies the block `blockHash` at `height`: a quorum of distinct
 * validators of `set` (the set in force at that height), sorted by index, each with a valid
 * precommit signature. Pure; shared by block import and the light client. Throws BAD_COMMIT.
 */
export function verifyCommit(commit: Commit, set: ValidatorSet, chainId: string, height: number, blockHash: Uint8Array): void {
  if (commit.height !== height) bad("wrong height", { height: commit.height });
  if (!equalBytes(commit.blockHash, blockHash)) bad("wrong block");
  if (commit.signatures.length < quorum(set.length)) bad("no quorum", { signatures: commit.signatures.length });
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
