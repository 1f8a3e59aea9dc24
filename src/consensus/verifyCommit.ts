import type { ValidatorSet } from "../contracts/modules/validators.js";
import { checkCommit } from "../ledger/commitCheck.js";
import type { Commit } from "../ledger/commit.js";

/**
 * Checks that `commit` certifies the block `blockHash` at `height`: a quorum of distinct
 * validators of `set` (the set in force at that height), sorted by index, each with a valid
 * precommit signature. Pure; shared by block import and the light client. Throws BAD_COMMIT.
 * The check itself is `checkCommit` of src/ledger/commitCheck.ts, which the SDK may import too.
 */
export function verifyCommit(commit: Commit, set: ValidatorSet, chainId: string, height: number, blockHash: Uint8Array): void {
  checkCommit(commit, set, chainId, height, blockHash);
}
