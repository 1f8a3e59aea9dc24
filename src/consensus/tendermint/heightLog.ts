import type { ConsensusMessage, ProposalMessage, ValueId } from "./types.js";
import { VoteTally } from "./voteTally.js";

/** The messages of one round. */
export interface RoundLog {
  /** The first proposal of the round's proposer: the one lines 22 and 28 answer. */
  proposal: ProposalMessage | null;
  /** Every proposal kept for the round, by value, the first included (see HeightLog). */
  readonly proposals: Map<ValueId, ProposalMessage>;
  /** The latest other proposal without votes behind it yet; the next such one replaces it. */
  spare: ValueId | null;
  readonly prevotes: VoteTally;
  readonly precommits: VoteTally;
  /** Distinct validators with any message in the round (the f+1 of round skipping). */
  readonly senders: Set<number>;
}

function emptyRound(supportThreshold: number): RoundLog {
  return { proposal: null, proposals: new Map(), spare: null, prevotes: new VoteTally(supportThreshold), precommits: new VoteTally(supportThreshold), senders: new Set() };
}

/**
 * The message log of one height. A repeated message adds nothing; a conflicting one (an
 * equivocation) is kept, boundedly, for the value it is for (see VoteTally).
 *
 * Likewise for proposals, as the paper's rules at lines 36 and 49 hold for any proposal with a
 * quorum behind it: an equivocating proposer may have sent us one value and the others another.
 * The first proposal is kept, and answered at lines 22 and 28; another one is kept if
 * `supportThreshold` validators (f+1: an honest one) voted for its value in the round, else it
 * takes the single spare place, so it is there when the votes come. A proposer can thus hold at
 * most one unsupported proposal per round, besides the first.
 *
 * Rounds at or below the current one are kept whole (the rules at lines 28 and 49 look back);
 * above it, each validator holds messages in at most `maxRoundsAhead` distinct rounds, the
 * highest it sent, so a validator spraying garbage rounds cannot grow memory, while an honest
 * one that is ahead stays visible.
 */
export class HeightLog {
  private readonly rounds = new Map<number, RoundLog>();
  /** Per validator, the rounds above the current one in which it holds messages. */
  private readonly ahead = new Map<number, number[]>();

  constructor(
    private readonly maxRoundsAhead: number,
    private readonly supportThreshold: number,
  ) {}

  round(round: number): RoundLog | undefined {
    return this.rounds.get(round);
  }

  /** Every round that holds messages, in no particular order. */
  entries(): IterableIterator<[number, RoundLog]> {
    return this.rounds.entries();
  }

  /** Stores a message whose sender, round and shape were checked; false if it adds nothing. */
  add(message: ConsensusMessage, currentRound: number): boolean {
    const { round, from } = message;
    const existing = this.rounds.get(round);
    if (existing !== undefined && holds(existing, message)) return false;
    if (round > currentRound && !(existing?.senders.has(from) ?? false) && !this.makeRoomAhead(from, round)) return false;
    let log = this.rounds.get(round);
    if (log === undefined) {
      log = emptyRound(this.supportThreshold);
      this.rounds.set(round, log);
    }
    if (message.kind === "proposal") this.addProposal(log, message);
    else (message.kind === "prevote" ? log.prevotes : log.precommits).add(from, message.value);
    log.senders.add(from);
    return true;
  }

  private addProposal(log: RoundLog, proposal: ProposalMessage): void {
    log.proposals.set(proposal.value, proposal);
    if (log.proposal === null) {
      log.proposal = proposal;
      return;
    }
    if (this.supported(log, proposal.value)) return;
    // Unsupported: the spare place, unless the spare it replaces has found support meanwhile.
    if (log.spare !== null && !this.supported(log, log.spare)) log.proposals.delete(log.spare);
    log.spare = proposal.value;
  }

  private supported(log: RoundLog, value: ValueId): boolean {
    return Math.max(log.prevotes.count(value), log.precommits.count(value)) >= this.supportThreshold;
  }

  /** The current round is now `round`: rounds up to it no longer count against the bound. */
  advanceTo(round: number): void {
    for (const [from, rounds] of this.ahead) {
      const still = rounds.filter((r) => r > round);
      if (still.length === 0) this.ahead.delete(from);
      else this.ahead.set(from, still);
    }
  }

  /** Makes room for a new round above the current one for `from`, evicting its lowest if it is lower. */
  private makeRoomAhead(from: number, round: number): boolean {
    const held = this.ahead.get(from) ?? [];
    if (held.length >= this.maxRoundsAhead) {
      const lowest = Math.min(...held);
      if (round < lowest) return false;
      this.evict(from, lowest);
      held.splice(held.indexOf(lowest), 1);
    }
    held.push(round);
    this.ahead.set(from, held);
    return true;
  }

  private evict(from: number, round: number): void {
    const log = this.rounds.get(round);
    if (log === undefined) return;
    if (log.proposal?.from === from) {
      log.proposal = null;
      log.proposals.clear();
      log.spare = null;
    }
    log.prevotes.remove(from);
    log.precommits.remove(from);
    log.senders.delete(from);
    if (log.senders.size === 0) this.rounds.delete(round);
  }
}

/** Whether the log already holds this very message (a repeat). */
function holds(log: RoundLog, message: ConsensusMessage): boolean {
  if (message.kind === "proposal") return log.proposals.has(message.value);
  return (message.kind === "prevote" ? log.prevotes : log.precommits).holds(message.from, message.value);
}
