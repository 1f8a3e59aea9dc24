import { proposerIndexes, type ValidatorSet } from "../contracts/modules/validators.js";

/**
 * Round-robin PoA: the proposer of height h, round r is validators[(h + r) mod n] over the set
 * in force at h. Validators jailed for equivocation are skipped (the schedule runs over the
 * others), so with none jailed it is exactly that rule. Returns the index in `set`.
 */
export function proposerIndex(set: ValidatorSet, height: number, round: number, jailed: readonly Uint8Array[] = []): number {
  if (set.length === 0) throw new RangeError("empty validator set");
  const eligible = proposerIndexes(set, jailed);
  return eligible[(height + round) % eligible.length] as number;
}

/** Votes needed for a quorum of n equal-power validators: floor(2n/3) + 1 (the rule commit checks use). */
export { commitQuorum as quorum } from "../ledger/commitCheck.js";
