import { ConsensusMachine, type HeightConfig } from "../../src/consensus/tendermint/machine.js";
import type { ConsensusMessage, MachineOutput, ProposalMessage, TimeoutConfig, ValueId, VoteMessage } from "../../src/consensus/tendermint/types.js";

/** Builders and a driver for unit tests of the consensus machine. */

export const TIMEOUTS: TimeoutConfig = { proposeMs: 100, prevoteMs: 50, precommitMs: 60, deltaMs: 10 };

/** Proposer of round r is validator r mod size, whatever the height. */
export function heightConfig(size: number, self: number | null, height = 1): HeightConfig {
  return { height, size, self, proposer: (round) => round % size };
}

export function proposal(round: number, value: ValueId, from: number, validRound = -1, height = 1): ProposalMessage {
  return { kind: "proposal", height, round, value, validRound, from };
}

export function prevote(round: number, value: ValueId | null, from: number, height = 1): VoteMessage {
  return { kind: "prevote", height, round, value, from };
}

export function precommit(round: number, value: ValueId | null, from: number, height = 1): VoteMessage {
  return { kind: "precommit", height, round, value, from };
}

/** A machine under test, with the outputs of everything fed to it. */
export class Driver {
  readonly machine = new ConsensusMachine(TIMEOUTS);

  start(config: HeightConfig, restore?: Parameters<ConsensusMachine["startHeight"]>[1]): MachineOutput[] {
    return this.machine.startHeight(config, restore);
  }

  messages(...messages: ConsensusMessage[]): MachineOutput[] {
    return messages.flatMap((message) => this.machine.handle({ kind: "message", message }));
  }

  validated(value: ValueId, valid = true): MachineOutput[] {
    return this.machine.handle({ kind: "validated", value, valid });
  }

  timeout(step: "propose" | "prevote" | "precommit", round = this.machine.round, height = this.machine.height): MachineOutput[] {
    return this.machine.handle({ kind: "timeout", step, height, round });
  }

  value(value: ValueId, round = this.machine.round, height = this.machine.height): MachineOutput[] {
    return this.machine.handle({ kind: "value", height, round, value });
  }
}

export function sent(outputs: readonly MachineOutput[]): ConsensusMessage[] {
  return outputs.flatMap((o) => (o.kind === "broadcast" ? [o.message] : []));
}

export function ofKind<K extends MachineOutput["kind"]>(outputs: readonly MachineOutput[], kind: K): Array<Extract<MachineOutput, { kind: K }>> {
  return outputs.filter((o): o is Extract<MachineOutput, { kind: K }> => o.kind === kind);
}

/** Votes of one kind from several validators. */
export function votes(make: typeof prevote, round: number, value: ValueId | null, from: readonly number[], height = 1): VoteMessage[] {
  return from.map((f) => make(round, value, f, height));
}
