/**
 * The inputs and outputs of the pure consensus state machine (Tendermint, Algorithm 1 of
 * Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus", 2018).
 *
 * The machine knows no clock, network, disk or signature: a value is an opaque id (the hex
 * block hash), a validator is its index in the set in force at the height, and every message
 * it is given has already been checked to come from `from` (the engine verifies signatures).
 */

/** Opaque id of a proposed value: the block hash in hex. */
export type ValueId = string;

export const Step = { PROPOSE: 0, PREVOTE: 1, PRECOMMIT: 2 } as const;
export type Step = (typeof Step)[keyof typeof Step];

export interface ProposalMessage {
  readonly kind: "proposal";
  readonly height: number;
  readonly round: number;
  readonly value: ValueId;
  /** The round in which the proposer saw a quorum of prevotes for `value`, or -1. */
  readonly validRound: number;
  readonly from: number;
}

export interface VoteMessage {
  readonly kind: "prevote" | "precommit";
  readonly height: number;
  readonly round: number;
  /** null votes for nil. */
  readonly value: ValueId | null;
  readonly from: number;
}

export type ConsensusMessage = ProposalMessage | VoteMessage;

export type TimeoutStep = "propose" | "prevote" | "precommit";

export type MachineInput =
  /** A message from a validator (possibly ourselves, echoed back: duplicates are ignored). */
  | { readonly kind: "message"; readonly message: ConsensusMessage }
  /** A timeout scheduled earlier has fired. */
  | { readonly kind: "timeout"; readonly step: TimeoutStep; readonly height: number; readonly round: number }
  /** The result of a `validate` request: the block was fully validated and executed, or not. */
  | { readonly kind: "validated"; readonly value: ValueId; readonly valid: boolean }
  /** The answer to `getValue`: the block this validator proposes. */
  | { readonly kind: "value"; readonly height: number; readonly round: number; readonly value: ValueId };

export type MachineOutput =
  /** Sign and send (the engine persists what it signs first). The machine has already counted it. */
  | { readonly kind: "broadcast"; readonly message: ConsensusMessage }
  /** Deliver a `timeout` input after `delayMs`. */
  | { readonly kind: "schedule"; readonly step: TimeoutStep; readonly height: number; readonly round: number; readonly delayMs: number }
  /** Fully validate the proposed value and answer with `validated` (asked once per value). */
  | { readonly kind: "validate"; readonly value: ValueId }
  /** We are the proposer and hold no valid value: build a block and answer with `value`. */
  | { readonly kind: "getValue"; readonly height: number; readonly round: number }
  /** `value` is decided at `height`: a quorum precommitted it in `round`. */
  | { readonly kind: "decide"; readonly height: number; readonly round: number; readonly value: ValueId };

export interface TimeoutConfig {
  /** Timeout of round r is base + r × delta, per step. */
  readonly proposeMs: number;
  readonly prevoteMs: number;
  readonly precommitMs: number;
  readonly deltaMs: number;
}

export const defaultTimeouts: TimeoutConfig = { proposeMs: 3_000, prevoteMs: 1_000, precommitMs: 1_000, deltaMs: 500 };

/**
 * The part of the machine that must survive a crash (persisted by the engine before it sends
 * anything it signed): without the lock, a restarted validator could help decide a second value.
 */
export interface MachineSnapshot {
  readonly height: number;
  readonly round: number;
  readonly step: Step;
  readonly lockedValue: ValueId | null;
  readonly lockedRound: number;
  readonly validValue: ValueId | null;
  readonly validRound: number;
}
