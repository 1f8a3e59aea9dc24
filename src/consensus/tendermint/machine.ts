import { commitQuorum } from "../../ledger/commitCheck.js";
import { HeightLog, type RoundLog } from "./heightLog.js";
import { NextHeightBuffer } from "./nextHeightBuffer.js";
import { Step, type ConsensusMessage, type MachineInput, type MachineOutput, type MachineSnapshot, type TimeoutConfig, type TimeoutStep, type ValueId } from "./types.js";
import { wellFormed } from "./wellFormed.js";

/** What the machine needs to know of a height: the validator set's size, our place in it, its proposers. */
export interface HeightConfig {
  readonly height: number;
  /** Number of validators, each of equal power. */
  readonly size: number;
  /** Our index, or null for a non-validator that only follows. */
  readonly self: number | null;
  /** Proposer index of a round at this height. */
  readonly proposer: (round: number) => number;
}

/** Per validator, how many distinct rounds above the current one are kept. */
export const MAX_ROUNDS_AHEAD = 2;
/** Per validator and kind, how many messages of the next height are kept until it starts. */
export const MAX_NEXT_HEIGHT_PER_KIND = 2;

/**
 * Tendermint consensus, Algorithm 1 of Buchman, Kwon, Milosevic, "The latest gossip on BFT
 * consensus" (2018), for one validator, as a pure state machine: inputs in, outputs out, no clock,
 * timers, randomness or I/O. Line numbers in comments are the paper's.
 *
 * Beyond the paper: a proposal's value is validated by the engine before any rule uses valid(v)
 * (asked once per value and height); the proposer also schedules OnTimeoutPropose, so a round
 * whose block never comes does not stall; and the message log is bounded (see HeightLog).
 *
 * Votes are counted as in the paper: "2f+1 votes for v" are distinct validators with a vote for
 * v, so an equivocator's second vote counts for its own value (never twice in the totals of lines
 * 34, 47 and 55). Counting only first votes would let an equivocator hide from one validator the
 * quorum all others saw, and stall it (see VoteTally); the engine still collects the evidence.
 */
export class ConsensusMachine {
  private config: HeightConfig | null = null;
  private quorum = 1;
  /** f+1 of line 55: more than the faulty bound n - quorum. */
  private skipThreshold = 1;
  private heightP = -1;
  private roundP = 0;
  private stepP: Step = Step.PROPOSE;
  private lockedValue: ValueId | null = null;
  private lockedRound = -1;
  private validValue: ValueId | null = null;
  private validRound = -1;
  private decided = false;
  private log = new HeightLog(MAX_ROUNDS_AHEAD, 1);
  private next = new NextHeightBuffer(MAX_NEXT_HEIGHT_PER_KIND);
  private readonly validity = new Map<ValueId, boolean>();
  private readonly requested = new Set<ValueId>();
  /** Rounds where a proposal, precommit or validation arrived since the last look for line 49. */
  private readonly decideCandidates = new Set<number>();
  // "for the first time" of lines 34, 36 and 47, for the current round.
  private prevoteTimeoutScheduled = false;
  private precommitTimeoutScheduled = false;
  private validUpdated = false;
  private awaitingValue = false;

  constructor(private readonly timeouts: TimeoutConfig) {}

  get height(): number {
    return this.heightP;
  }

  get round(): number {
    return this.roundP;
  }

  get step(): Step {
    return this.stepP;
  }

  /**
   * Starts a height at round 0, or, when `restore` is of this height, at its round and step with
   * its lock and valid value (a restart after a crash). Then replays the messages buffered for it.
   */
  startHeight(config: HeightConfig, restore?: MachineSnapshot): MachineOutput[] {
    checkConfig(config);
    const buffered = config.height === this.heightP + 1 ? this.next.drain() : [];
    this.config = config;
    this.quorum = commitQuorum(config.size);
    this.skipThreshold = config.size - this.quorum + 1;
    this.heightP = config.height;
    this.decided = false;
    this.log = new HeightLog(MAX_ROUNDS_AHEAD, this.skipThreshold);
    this.next = new NextHeightBuffer(MAX_NEXT_HEIGHT_PER_KIND);
    this.validity.clear();
    this.requested.clear();
    this.decideCandidates.clear();
    const resumed = restore !== undefined && restore.height === config.height ? restore : undefined;
    this.lockedValue = resumed?.lockedValue ?? null;
    this.lockedRound = resumed?.lockedRound ?? -1;
    this.validValue = resumed?.validValue ?? null;
    this.validRound = resumed?.validRound ?? -1;
    const out: MachineOutput[] = [];
    if (resumed === undefined || resumed.step === Step.PROPOSE) this.startRound(resumed?.round ?? 0, out);
    else {
      // We signed in this round's later step already: resume there, and let the rules run again.
      this.enterRound(resumed.round, out);
      this.stepP = resumed.step;
    }
    for (const message of buffered) this.accept(message, out);
    this.run(out);
    return out;
  }

  handle(input: MachineInput): MachineOutput[] {
    const out: MachineOutput[] = [];
    if (this.config === null) return out;
    switch (input.kind) {
      case "message":
        this.onMessage(input.message, out);
        break;
      case "timeout":
        if (this.decided || input.height !== this.heightP || input.round !== this.roundP) break;
        this.onTimeout(input.step, out);
        break;
      case "validated":
        this.onValidated(input.value, input.valid);
        break;
      case "value":
        this.onValue(input.height, input.round, input.value, out);
        break;
    }
    this.run(out);
    return out;
  }

  /** What the engine persists before it signs anything: never unlock after a restart. */
  snapshot(): MachineSnapshot {
    return {
      height: this.heightP,
      round: this.roundP,
      step: this.stepP,
      lockedValue: this.lockedValue,
      lockedRound: this.lockedRound,
      validValue: this.validValue,
      validRound: this.validRound,
    };
  }

  private onMessage(message: ConsensusMessage, out: MachineOutput[]): void {
    if (!wellFormed(message)) return;
    if (message.height === this.heightP + 1) this.next.add(message, this.cfg().size);
    else if (message.height === this.heightP && !this.decided) this.accept(message, out);
  }

  private onTimeout(step: TimeoutStep, out: MachineOutput[]): void {
    if (step === "propose" && this.stepP === Step.PROPOSE) {
      // OnTimeoutPropose
      this.broadcast({ kind: "prevote", height: this.heightP, round: this.roundP, value: null, from: this.selfIndex() }, out);
      this.stepP = Step.PREVOTE;
    } else if (step === "prevote" && this.stepP === Step.PREVOTE) {
      // OnTimeoutPrevote
      this.broadcast({ kind: "precommit", height: this.heightP, round: this.roundP, value: null, from: this.selfIndex() }, out);
      this.stepP = Step.PRECOMMIT;
    } else if (step === "precommit") {
      // OnTimeoutPrecommit
      this.startRound(this.roundP + 1, out);
    }
  }

  private onValidated(value: ValueId, valid: boolean): void {
    if (this.decided || !this.requested.has(value) || this.validity.has(value)) return;
    this.validity.set(value, valid);
    for (const [round, log] of this.log.entries()) if (log.proposals.has(value)) this.decideCandidates.add(round);
  }

  /** The engine's block for the round we propose in (lines 16-19, getValue answered). */
  private onValue(height: number, round: number, value: ValueId, out: MachineOutput[]): void {
    if (this.decided || !this.awaitingValue || height !== this.heightP || round !== this.roundP) return;
    this.awaitingValue = false;
    if (typeof value !== "string" || value === "" || this.log.round(round)?.proposal != null) return;
    // Our own block: the engine built it, no need to validate it again.
    this.requested.add(value);
    if (!this.validity.has(value)) this.validity.set(value, true);
    this.broadcast({ kind: "proposal", height, round, value, validRound: -1, from: this.selfIndex() }, out);
  }

  /** StartRound (lines 11-21). */
  private startRound(round: number, out: MachineOutput[]): void {
    this.enterRound(round, out);
    const config = this.cfg();
    if (config.self !== null && config.proposer(round) === config.self) {
      if (this.validValue !== null) {
        this.broadcast({ kind: "proposal", height: this.heightP, round, value: this.validValue, validRound: this.validRound, from: config.self }, out);
      } else {
        this.awaitingValue = true;
        out.push({ kind: "getValue", height: this.heightP, round });
      }
    }
    this.schedule("propose", out);
  }

  private enterRound(round: number, out: MachineOutput[]): void {
    this.roundP = round;
    this.stepP = Step.PROPOSE;
    this.prevoteTimeoutScheduled = false;
    this.precommitTimeoutScheduled = false;
    this.validUpdated = false;
    this.awaitingValue = false;
    this.log.advanceTo(round);
    // Proposals of rounds we jumped over or reached are validated now, not while they were ahead.
    for (const [r, log] of this.log.entries()) {
      if (r <= round) for (const value of log.proposals.keys()) this.requestValidation(value, out);
    }
  }

  /** Counts a message of this height; false if it is not admissible or adds nothing. */
  private accept(message: ConsensusMessage, out: MachineOutput[]): boolean {
    const config = this.cfg();
    if (message.from < 0 || message.from >= config.size) return false;
    if (message.kind === "proposal" && message.from !== config.proposer(message.round)) return false;
    if (!this.log.add(message, this.roundP)) return false;
    if (message.kind === "proposal") {
      if (message.round <= this.roundP) this.requestValidation(message.value, out);
      this.decideCandidates.add(message.round);
    } else if (message.kind === "precommit" && message.value !== null) {
      this.decideCandidates.add(message.round);
    }
    return true;
  }

  private requestValidation(value: ValueId, out: MachineOutput[]): void {
    if (this.requested.has(value)) return;
    this.requested.add(value);
    out.push({ kind: "validate", value });
  }

  /** Applies the upon-rules until none fires. Each firing changes state or sets a first-time flag. */
  private run(out: MachineOutput[]): void {
    while (!this.decided && this.config !== null) {
      if (this.tryDecide(out)) return;
      if (this.trySkipRound(out)) continue;
      if (this.stepP === Step.PROPOSE && this.tryPrevoteProposal(out)) continue;
      const current = this.log.round(this.roundP);
      if (current === undefined || !this.tryRoundRules(current, out)) return;
    }
  }

  /** Line 49: a proposal of round r, its value valid, and a quorum of precommits for it in r. */
  private tryDecide(out: MachineOutput[]): boolean {
    for (const round of this.decideCandidates) {
      const log = this.log.round(round);
      if (log === undefined) continue;
      const value = log.precommits.valueWith(this.quorum);
      if (value === null || !log.proposals.has(value) || this.validity.get(value) !== true) continue;
      this.decided = true;
      this.decideCandidates.clear();
      out.push({ kind: "decide", height: this.heightP, round, value });
      return true;
    }
    this.decideCandidates.clear();
    return false;
  }

  /** Line 55: f+1 validators with messages in a higher round; go to the highest such round. */
  private trySkipRound(out: MachineOutput[]): boolean {
    let target = -1;
    for (const [round, log] of this.log.entries()) {
      if (round > this.roundP && round > target && log.senders.size >= this.skipThreshold) target = round;
    }
    if (target < 0) return false;
    this.startRound(target, out);
    return true;
  }

  /** Lines 22 and 28, in step propose. */
  private tryPrevoteProposal(out: MachineOutput[]): boolean {
    const proposal = this.log.round(this.roundP)?.proposal;
    if (!proposal) return false;
    const { value, validRound } = proposal;
    let acceptable: boolean;
    if (validRound === -1) {
      acceptable = this.lockedRound === -1 || this.lockedValue === value;
    } else {
      if (validRound >= this.roundP || this.count(validRound, "prevote", value) < this.quorum) return false;
      acceptable = this.lockedRound <= validRound || this.lockedValue === value;
    }
    const valid = this.validity.get(value);
    if (valid === undefined) return false;
    this.broadcast({ kind: "prevote", height: this.heightP, round: this.roundP, value: valid && acceptable ? value : null, from: this.selfIndex() }, out);
    this.stepP = Step.PREVOTE;
    return true;
  }

  /** Lines 34, 36, 44 and 47, on the current round's log. */
  private tryRoundRules(log: RoundLog, out: MachineOutput[]): boolean {
    const value = this.validUpdated || this.stepP < Step.PREVOTE ? null : log.prevotes.valueWith(this.quorum);
    if (value !== null && log.proposals.has(value) && this.validity.get(value) === true) {
      // Line 36
      this.validUpdated = true;
      if (this.stepP === Step.PREVOTE) {
        this.lockedValue = value;
        this.lockedRound = this.roundP;
        this.broadcast({ kind: "precommit", height: this.heightP, round: this.roundP, value, from: this.selfIndex() }, out);
        this.stepP = Step.PRECOMMIT;
      }
      this.validValue = value;
      this.validRound = this.roundP;
      return true;
    }
    if (this.stepP === Step.PREVOTE && log.prevotes.count(null) >= this.quorum) {
      // Line 44
      this.broadcast({ kind: "precommit", height: this.heightP, round: this.roundP, value: null, from: this.selfIndex() }, out);
      this.stepP = Step.PRECOMMIT;
      return true;
    }
    if (!this.prevoteTimeoutScheduled && this.stepP === Step.PREVOTE && log.prevotes.voters >= this.quorum) {
      // Line 34
      this.prevoteTimeoutScheduled = true;
      this.schedule("prevote", out);
      return true;
    }
    if (!this.precommitTimeoutScheduled && log.precommits.voters >= this.quorum) {
      // Line 47
      this.precommitTimeoutScheduled = true;
      this.schedule("precommit", out);
      return true;
    }
    return false;
  }

  private count(round: number, kind: "prevote" | "precommit", value: ValueId | null): number {
    const log = this.log.round(round);
    if (log === undefined) return 0;
    return (kind === "prevote" ? log.prevotes : log.precommits).count(value);
  }

  private schedule(step: TimeoutStep, out: MachineOutput[]): void {
    const base = step === "propose" ? this.timeouts.proposeMs : step === "prevote" ? this.timeouts.prevoteMs : this.timeouts.precommitMs;
    out.push({ kind: "schedule", step, height: this.heightP, round: this.roundP, delayMs: base + this.roundP * this.timeouts.deltaMs });
  }

  /** Sends a message we sign and counts it as received; a non-validator only changes step. */
  private broadcast(message: ConsensusMessage, out: MachineOutput[]): void {
    if (this.cfg().self === null) return;
    out.push({ kind: "broadcast", message });
    this.accept(message, out);
  }

  /** Our index; -1 for a non-validator, whose messages `broadcast` drops. */
  private selfIndex(): number {
    return this.cfg().self ?? -1;
  }

  private cfg(): HeightConfig {
    if (this.config === null) throw new RangeError("startHeight was not called");
    return this.config;
  }
}

function checkConfig(config: HeightConfig): void {
  if (!Number.isSafeInteger(config.height) || config.height < 0) throw new RangeError(`bad height ${config.height}`);
  if (!Number.isSafeInteger(config.size) || config.size < 1) throw new RangeError(`bad validator set size ${config.size}`);
  if (config.self !== null && (!Number.isSafeInteger(config.self) || config.self < 0 || config.self >= config.size)) {
    throw new RangeError(`bad validator index ${config.self}`);
  }
}
