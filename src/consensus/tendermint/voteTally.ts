import type { ValueId } from "./types.js";

/**
 * The prevotes or precommits of one round.
 *
 * Each validator's first vote is its vote for the totals ("2f+1 votes for anything", lines 34
 * and 47). The per-value rules (28, 36, 44, 49) count, as the paper does, the distinct validators
 * with a vote for that value: an equivocator's second vote for another value counts for that
 * value too. This is safe (two quorums share an honest validator, which votes once) and needed
 * for liveness: a validator that got an equivocator's other vote first must still see the
 * quorum everybody else saw. Memory stays bounded: a conflicting vote is kept for a value with
 * `supportThreshold` (f+1: an honest one) other voters, else in one spare place per validator,
 * which the validator's next unsupported vote replaces.
 */
export class VoteTally {
  /** Each validator's first vote. */
  private readonly first = new Map<number, ValueId | null>();
  /** Validators counted per value (null is nil). */
  private readonly byValue = new Map<ValueId | null, Set<number>>();
  /** Per validator, its conflicting vote kept without support. */
  private readonly spare = new Map<number, ValueId | null>();

  constructor(private readonly supportThreshold: number) {}

  /** Validators with a vote, whatever its value. */
  get voters(): number {
    return this.first.size;
  }

  /** Distinct validators counted for `value`. */
  count(value: ValueId | null): number {
    return this.byValue.get(value)?.size ?? 0;
  }

  /** The value (not nil) counted by at least `quorum` validators, if any (at most one for a quorum). */
  valueWith(quorum: number): ValueId | null {
    for (const [value, voters] of this.byValue) if (value !== null && voters.size >= quorum) return value;
    return null;
  }

  /** Whether this very vote is counted. */
  holds(from: number, value: ValueId | null): boolean {
    return this.byValue.get(value)?.has(from) ?? false;
  }

  /** Counts a vote; false if it is a repeat. */
  add(from: number, value: ValueId | null): boolean {
    const voters = this.byValue.get(value);
    if (voters?.has(from)) return false;
    if (!this.first.has(from)) this.first.set(from, value);
    else if (!this.supported(value, from)) {
      const previous = this.spare.get(from);
      if (previous !== undefined && !this.supported(previous, from)) this.uncount(previous, from);
      this.spare.set(from, value);
    }
    if (voters === undefined) this.byValue.set(value, new Set([from]));
    else voters.add(from);
    return true;
  }

  /** Forgets every vote of a validator. */
  remove(from: number): void {
    for (const value of [...this.byValue.keys()]) this.uncount(value, from);
    this.first.delete(from);
    this.spare.delete(from);
  }

  /** Whether validators other than `from` reach the support threshold for `value`. */
  private supported(value: ValueId | null, from: number): boolean {
    const voters = this.byValue.get(value);
    if (voters === undefined) return false;
    return voters.size - (voters.has(from) ? 1 : 0) >= this.supportThreshold;
  }

  private uncount(value: ValueId | null, from: number): void {
    const voters = this.byValue.get(value);
    if (voters === undefined) return;
    voters.delete(from);
    if (voters.size === 0) this.byValue.delete(value);
  }
}
