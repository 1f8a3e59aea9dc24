import type { ValidatorSet, Validator } from "../contracts/modules/validators.js";

/** Round-robin PoA: the proposer of height h, round r is validators[(h + r) mod n]. */
export function proposerFor(set: ValidatorSet, height: number, round: number): Validator {
  if (set.length === 0) throw new RangeError("empty validator set");
  return set[(height + round) % set.length] as Validator;
}

/** Votes needed for a quorum of n equal-power validators: floor(2n/3) + 1 (the rule commit checks use). */
export { commitQuorum as quorum } from "../ledger/commitCheck.js";
