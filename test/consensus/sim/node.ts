import { ConsensusMachine, type HeightConfig } from "../../../src/consensus/tendermint/machine.js";
import type { ConsensusMessage, MachineInput, MachineOutput, MachineSnapshot, TimeoutConfig, ValueId } from "../../../src/consensus/tendermint/types.js";
import { commitQuorum } from "../../../src/ledger/commitCheck.js";
import type { Prng } from "./prng.js";

/**
 * What travels between nodes: a consensus message; a stuck node asking for a height's decision;
 * and the answer, the decided proposal with the precommits for it (a commit certificate).
 */
export type Packet =
  | { readonly kind: "consensus"; readonly message: ConsensusMessage }
  | { readonly kind: "sync"; readonly height: number }
  | { readonly kind: "commit"; readonly height: number; readonly messages: readonly ConsensusMessage[] };

/** A node's own timers and the engine's answers, lost when the node crashes. */
export type LocalEvent = { readonly kind: "input"; readonly input: MachineInput } | { readonly kind: "tick" } | { readonly kind: "nextHeight" };

/** What a node needs of the simulated world. */
export interface NodeNetwork {
  readonly prng: Prng;
  /** Validators and followers: node ids are 0 .. nodes - 1, validators first. */
  readonly nodes: number;
  send(from: number, to: number, packet: Packet): void;
  /** Delivers `event` to `node` after `delayMs`, unless the node crashes first. */
  later(node: number, delayMs: number, event: LocalEvent): void;
  /** A node decided; the simulator checks agreement and validity. */
  decided(node: number, height: number, round: number, value: ValueId): void;
  violation(text: string): void;
  /** A node signed a message (a crash may be waiting for it). */
  signed(node: number, message: ConsensusMessage): void;
}

/** How a node's signed messages leave it; Byzantine behaviours replace the honest one. */
export interface Behaviour {
  readonly honest: boolean;
  send(node: SimNode, message: ConsensusMessage): void;
  /** The block this node proposes when the machine asks for one. */
  value(height: number, round: number, node: SimNode): ValueId;
  tick?(node: SimNode): void;
}

/** What survives a crash: the snapshot written before each broadcast, what was signed, the chain. */
export interface Disk {
  snapshot: MachineSnapshot | undefined;
  /** Messages signed at the current height, by `${round}:${kind}`: the last-signed guard. */
  readonly signed: Map<string, ConsensusMessage>;
  /** Decided values; height h is chain[h - 1]. */
  readonly chain: ValueId[];
  /** Per decided height, the proposal and precommits that decided it, for nodes that lag. */
  readonly proofs: Map<number, ConsensusMessage[]>;
  /**
   * The prevotes behind the snapshot's valid value (its POL), as a WAL would keep them: without
   * them a restarted proposer of that value could not show why others may accept it (line 28).
   */
  pol: ConsensusMessage[];
}

export const SIM_TIMEOUTS: TimeoutConfig = { proposeMs: 120, prevoteMs: 60, precommitMs: 60, deltaMs: 20 };
/** A node that made no progress for this long re-sends what it signed and asks for missed decisions. */
export const GOSSIP_MS = 200;
/** Block time: after a decision, the engine starts the next height this much later (CometBFT's timeout_commit). */
export const COMMIT_MS = 40;
/** Chance that a node's own broadcast is also echoed back to it by the network. */
const ECHO_RATE = 0.2;

/** The values a simulated block validation accepts: `h<height>-r<round>-p<proposer>` (x: an equivocator's twin). */
export function validValue(height: number, value: ValueId): boolean {
  const match = /^h(\d+)-r\d+-p\d+x?$/.exec(value);
  return match !== null && Number(match[1]) === height;
}

function sameMessage(a: ConsensusMessage, b: ConsensusMessage): boolean {
  return a.kind === b.kind && a.value === b.value && (a.kind !== "proposal" || b.kind !== "proposal" || a.validRound === b.validRound);
}

const KIND_ORDER = { proposal: 0, prevote: 1, precommit: 2 } as const;

/**
 * A node: one ConsensusMachine and a tiny engine around it (the shell a real node would have):
 * persists the snapshot before broadcasting, refuses to sign a message conflicting with one it
 * signed, answers validate/getValue, runs the timers, gossips when stuck, and restarts from disk.
 */
export class SimNode {
  up = true;
  readonly disk: Disk = { snapshot: undefined, signed: new Map(), chain: [], proofs: new Map(), pol: [] };
  private machine = new ConsensusMachine(SIM_TIMEOUTS);
  /** Messages received, per height (current and next), every distinct one: proofs are built from them. */
  private seen = new Map<number, Map<string, ConsensusMessage>>();
  private lastProgress = "";

  constructor(
    readonly id: number,
    /** Validators. */
    readonly n: number,
    /** Our validator index, or null for a follower. */
    readonly self: number | null,
    readonly net: NodeNetwork,
    readonly behaviour: Behaviour,
  ) {}

  get height(): number {
    return this.disk.chain.length + 1;
  }

  get round(): number {
    return this.machine.round;
  }

  /** Boots (or reboots) from disk: the snapshot restores round and lock, the signed messages are fed back. */
  start(): void {
    this.up = true;
    this.machine = new ConsensusMachine(SIM_TIMEOUTS);
    this.seen = new Map();
    this.lastProgress = "";
    this.apply(this.machine.startHeight(this.config(this.height), this.disk.snapshot));
    const signed = [...this.disk.signed.values()].sort((a, b) => a.round - b.round || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
    for (const message of [...this.disk.pol, ...signed]) this.receive(message);
    this.net.later(this.id, GOSSIP_MS, { kind: "tick" });
  }

  crash(): void {
    this.up = false;
  }

  onPacket(from: number, packet: Packet): void {
    if (packet.kind === "consensus") this.receive(packet.message);
    else if (packet.kind === "commit") {
      // Imported: ask the same peer for the next one at once, as block sync does.
      if (this.importCommit(packet.height, packet.messages)) this.net.send(this.id, from, { kind: "sync", height: this.height });
    } else if (this.behaviour.honest) {
      const messages = this.disk.proofs.get(packet.height);
      if (messages !== undefined) this.net.send(this.id, from, { kind: "commit", height: packet.height, messages });
    }
  }

  onLocal(event: LocalEvent): void {
    if (event.kind === "input") this.apply(this.machine.handle(event.input));
    else if (event.kind === "nextHeight") this.apply(this.machine.startHeight(this.config(this.height), this.disk.snapshot));
    else this.tick();
  }

  /** Sends to every other node (and sometimes back to us, a duplicate the machine must ignore). */
  broadcast(message: ConsensusMessage, to: (node: number) => boolean = () => true): void {
    for (let node = 0; node < this.net.nodes; node++) {
      if (!to(node)) continue;
      if (node !== this.id || this.net.prng.chance(ECHO_RATE)) this.net.send(this.id, node, { kind: "consensus", message });
    }
  }

  /** The first proposal we saw for a round of the current height, if any. */
  seenProposal(round: number): ConsensusMessage | undefined {
    for (const m of this.seen.get(this.height)?.values() ?? []) if (m.kind === "proposal" && m.round === round) return m;
    return undefined;
  }

  private config(height: number): HeightConfig {
    return { height, size: this.n, self: this.self, proposer: (round) => (height + round) % this.n };
  }

  private receive(message: ConsensusMessage): void {
    this.remember(message);
    this.apply(this.machine.handle({ kind: "message", message }));
  }

  /** Keeps a message of the current or next height, for proofs and for relaying the prevotes a proposal rests on. */
  private remember(message: ConsensusMessage): void {
    if (typeof message !== "object" || message === null || (message.height !== this.height && message.height !== this.height + 1)) return;
    let byKey = this.seen.get(message.height);
    if (byKey === undefined) this.seen.set(message.height, (byKey = new Map()));
    const key = `${message.round}:${message.kind}:${message.from}:${message.value}`;
    if (!byKey.has(key)) byKey.set(key, message);
  }

  private apply(outputs: MachineOutput[]): void {
    if (outputs.some((o) => o.kind === "broadcast")) this.persistSnapshot();
    let decision: Extract<MachineOutput, { kind: "decide" }> | undefined;
    for (const output of outputs) {
      switch (output.kind) {
        case "broadcast":
          this.sign(output.message);
          break;
        case "schedule": {
          const { step, height, round } = output;
          this.net.later(this.id, output.delayMs, { kind: "input", input: { kind: "timeout", step, height, round } });
          break;
        }
        case "validate":
          this.net.later(this.id, this.net.prng.int(0, 5), { kind: "input", input: { kind: "validated", value: output.value, valid: validValue(this.height, output.value) } });
          break;
        case "getValue": {
          const { height, round } = output;
          // After a restart, the block we already signed for this round, never a second one.
          const value = this.disk.signed.get(`${round}:proposal`)?.value ?? this.behaviour.value(height, round, this);
          this.net.later(this.id, this.net.prng.int(0, 5), { kind: "input", input: { kind: "value", height, round, value } });
          break;
        }
        case "decide":
          decision = output;
          break;
      }
    }
    if (decision !== undefined) this.decide(decision.height, decision.round, decision.value);
  }

  private persistSnapshot(): void {
    const previous = this.disk.snapshot;
    const snapshot = this.machine.snapshot();
    this.disk.snapshot = snapshot;
    const { validValue, validRound, height } = snapshot;
    if (validValue === null || (previous?.height === height && previous.validRound === validRound && previous.validValue === validValue)) return;
    const seen = this.seen.get(height)?.values() ?? [];
    this.disk.pol = [...seen].filter((m) => m.kind === "prevote" && m.round === validRound && m.value === validValue);
  }

  /** The last-signed guard: never two different messages of one (height, round, kind). */
  private sign(message: ConsensusMessage): void {
    const key = `${message.round}:${message.kind}`;
    const previous = this.disk.signed.get(key);
    if (previous !== undefined && !sameMessage(previous, message)) {
      if (this.behaviour.honest) this.net.violation(`node ${this.id} tried to sign ${JSON.stringify(message)} after ${JSON.stringify(previous)}`);
      return;
    }
    this.disk.signed.set(key, message);
    this.remember(message);
    this.behaviour.send(this, message);
    this.net.signed(this.id, message);
  }

  private decide(height: number, round: number, value: ValueId): void {
    if (height !== this.height) return; // imported from a commit meanwhile
    const seen = [...(this.seen.get(height)?.values() ?? [])];
    this.commit(height, round, value, seen.filter((m) => m.round === round && m.value === value && (m.kind === "proposal" || m.kind === "precommit")));
    this.net.later(this.id, COMMIT_MS, { kind: "nextHeight" });
  }

  private commit(height: number, round: number, value: ValueId, proof: ConsensusMessage[]): void {
    this.net.decided(this.id, height, round, value);
    this.disk.proofs.set(height, proof);
    this.disk.chain.push(value);
    this.disk.signed.clear();
    this.disk.pol = [];
    this.seen.delete(height);
  }

  /**
   * Block sync: a node that missed a decision (messages lost, or it was down while the others
   * moved on) imports the block with a quorum of precommits for it, as a real node imports a
   * block with its commit, and starts the next height.
   */
  private importCommit(height: number, messages: readonly ConsensusMessage[]): boolean {
    if (height !== this.height) return false;
    const quorum = commitQuorum(this.n);
    for (const proposal of messages) {
      if (proposal.kind !== "proposal" || proposal.height !== height || proposal.from !== (height + proposal.round) % this.n) continue;
      const voters = new Set<number>();
      for (const m of messages) {
        if (m.kind === "precommit" && m.height === height && m.round === proposal.round && m.value === proposal.value && m.from >= 0 && m.from < this.n) voters.add(m.from);
      }
      if (voters.size < quorum || !validValue(height, proposal.value)) continue;
      this.commit(height, proposal.round, proposal.value, [...messages]);
      this.apply(this.machine.startHeight(this.config(this.height), this.disk.snapshot));
      return true;
    }
    return false;
  }

  private tick(): void {
    const progress = `${this.height}:${this.machine.round}:${this.machine.step}`;
    if (progress === this.lastProgress && this.behaviour.honest) this.gossip();
    this.lastProgress = progress;
    this.behaviour.tick?.(this);
    this.net.later(this.id, GOSSIP_MS, { kind: "tick" });
  }

  /**
   * Stuck for a period: send again all we signed at this height, relay what others sent in this
   * round and the previous one (the paper's gossip: what one correct validator received, all
   * eventually receive, even a Byzantine vote that completes a quorum), relay the prevotes our
   * proposals rest on, and ask for missed decisions.
   */
  private gossip(): void {
    const round = this.machine.round;
    const seen = [...(this.seen.get(this.height)?.values() ?? [])];
    for (const message of this.disk.signed.values()) {
      this.broadcast(message);
      if (message.kind === "proposal" && message.validRound >= 0) {
        for (const m of seen) if (m.kind === "prevote" && m.round === message.validRound && m.value === message.value) this.broadcast(m);
      }
    }
    for (const m of seen) if (m.from !== this.self && (m.round === round || m.round === round - 1)) this.broadcast(m);
    for (let node = 0; node < this.net.nodes; node++) if (node !== this.id) this.net.send(this.id, node, { kind: "sync", height: this.height });
  }
}
