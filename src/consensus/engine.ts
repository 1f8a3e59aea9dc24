import type { Logger } from "pino";
import { equalBytes, fromHex, toHex } from "../crypto/bytes.js";
import type { KeyPair } from "../crypto/keys.js";
import { verifySignature } from "../crypto/verify.js";
import type { ValidatorSet } from "../contracts/modules/validators.js";
import { isAttestaError } from "../errors.js";
import { decodeBlock, encodeBlock, type Block } from "../ledger/block.js";
import type { Commit } from "../ledger/commit.js";
import {
  conflicting,
  decodeWireMessage,
  encodeWireMessage,
  NIL_HASH,
  statementPayload,
  StatementKind,
  type Evidence,
  type Statement,
  type WireMessage,
} from "../ledger/consensusMessages.js";
import { headerHash } from "../ledger/header.js";
import { proposerIndex, quorum as commitQuorum } from "./proposer.js";
import type { SignGuard } from "./signGuard.js";
import { ConsensusMachine } from "./tendermint/machine.js";
import {
  defaultTimeouts,
  Step,
  type ConsensusMessage,
  type MachineInput,
  type MachineOutput,
  type MachineSnapshot,
  type TimeoutConfig,
  type ValueId,
} from "./tendermint/types.js";
import type { ConsensusTransport, MessageVerdict } from "./transport.js";
import { verifyCommit } from "./verifyCommit.js";

/** What the engine needs of the chain it decides for (the node's Chain and mempool provide it). */
export interface ConsensusHost {
  readonly chainId: string;
  /** The last decided block. */
  head(): { readonly height: number; readonly hash: Uint8Array; readonly timestamp: number };
  /** The validator set in force at head + 1, and who of it is jailed. */
  validators(): ValidatorSet;
  jailed(): readonly Uint8Array[];
  /** Transactions waiting for a block (the production policy). */
  pending(): number;
  /** Builds and signs a block on the head from the mempool. */
  buildBlock(timestamp: number): Promise<{ block: Block; hash: Uint8Array }>;
  /** Fully validates and executes a proposed block on the head; throws a coded error if invalid. */
  validateBlock(block: Block): Promise<void>;
  /** Commits the decided block with its certificate, which the engine has checked (consensus reached it: no other outcome). */
  commitDecided(block: Block, commit: Commit): Promise<void>;
  /** The decided block at a height and its certificate, to serve a validator that is behind. */
  decided(height: number): Promise<{ block: Block; commit: Commit } | undefined>;
  /** Evidence of equivocation to put on chain (as a `validators.evidence` transaction). */
  submitEvidence(evidence: Evidence): void;
  now(): number;
}

export interface EngineOptions {
  /** This validator's key; null for a node that only follows. */
  readonly key: KeyPair | null;
  /** Persists what we sign; required with a key. */
  readonly guard: SignGuard | null;
  readonly transport: ConsensusTransport;
  readonly blockPeriodMs: number;
  readonly heartbeatMs: number;
  readonly timeouts?: TimeoutConfig;
  readonly logger?: Logger;
}

/** Counters for metrics and tests. */
export interface EngineStats {
  decided: number;
  rounds: number;
  invalidMessages: number;
  refusedSignatures: number;
  evidence: number;
  catchups: number;
}

/**
 * Distinct rounds above ours for which one validator's statements are kept (as the machine
 * does): enough to follow a validator that is ahead, not enough for garbage rounds to grow memory.
 */
const MAX_ROUNDS_AHEAD = 2;
/** Messages for the next height kept until we get there. */
const MAX_FUTURE_MESSAGES = 1024;
/** Decided blocks a lagging node is sent per catch-up request, and how often it may ask. */
const CATCHUP_BATCH = 32;
const CATCHUP_INTERVAL_MS = 250;

/** A machine message's kind as a signed statement's, and the step signing it completes. */
const STATEMENT_KIND = { proposal: StatementKind.PROPOSAL, prevote: StatementKind.PREVOTE, precommit: StatementKind.PRECOMMIT } as const;
const STEP_OF = { proposal: Step.PROPOSE, prevote: Step.PREVOTE, precommit: Step.PRECOMMIT } as const;

/**
 * The consensus shell around the pure state machine: it verifies and decodes what arrives,
 * signs (through the guard, after persisting) what the machine sends, runs its timers, asks
 * the chain to build, validate and commit blocks, collects precommits into the commit
 * certificate, spots equivocation, and starts each height by the production policy (a block
 * once transactions wait and the block period has passed, a heartbeat when idle).
 */
export class ConsensusEngine {
  private readonly machine: ConsensusMachine;
  private readonly timers = new Set<NodeJS.Timeout>();
  private startTimer: NodeJS.Timeout | undefined;
  private running = false;
  /** The height being decided, and whether its round 0 has started. */
  private height = 0;
  private started = false;
  private set: ValidatorSet = [];
  private jailed: readonly Uint8Array[] = [];
  private self: number | null = null;
  private readonly blocks = new Map<ValueId, Block>();
  /** Signed statements of this height by (round, kind, validator): the first, and a conflicting second one at most. */
  private readonly statements = new Map<string, Statement[]>();
  private readonly roundsAhead = new Map<number, Set<number>>();
  private future: Array<{ message: WireMessage; from: string }> = [];
  private readonly decisions = new Map<number, { block: Block; commit: Commit }>();
  private readonly evidenceSeen = new Set<string>();
  private lastCatchup = 0;
  private signing: Promise<unknown> = Promise.resolve();
  private resendTimer: NodeJS.Timeout | undefined;
  /** Statements recorded so far, and as of the last resend tick. */
  private recorded = 0;
  private recordedAtResend = -1;
  private advancing = false;
  /** The block of the value last proposed or precommitted, as kept on disk before signing for it. */
  private kept: Block | undefined;
  readonly stats: EngineStats = { decided: 0, rounds: 0, invalidMessages: 0, refusedSignatures: 0, evidence: 0, catchups: 0 };

  constructor(private readonly host: ConsensusHost, private readonly options: EngineOptions) {
    this.machine = new ConsensusMachine(options.timeouts ?? defaultTimeouts);
    options.transport.onMessage((bytes, from) => this.receive(bytes, from));
  }

  /** Starts deciding: loads what a crash may have left (the kept block), then enters the next height. */
  async start(): Promise<void> {
    if (this.running) return;
    const kept = await this.options.guard?.loadBlock();
    if (kept !== undefined) {
      try {
        this.kept = decodeBlock(kept);
      } catch {
        this.kept = undefined; // a torn or foreign file: only liveness needs it
      }
    }
    this.running = true;
    this.enterHeight();
  }

  stop(): void {
    this.running = false;
    this.clearTimers();
    if (this.resendTimer !== undefined) clearInterval(this.resendTimer);
    this.resendTimer = undefined;
    if (this.startTimer !== undefined) clearTimeout(this.startTimer);
    this.startTimer = undefined;
  }

  /** Transactions arrived: start the height now if the block period allows. */
  nudge(): void {
    if (this.running && !this.started) this.scheduleStart();
  }

  /** Height and round being decided (for status and tests). */
  get position(): { height: number; round: number } {
    return { height: this.height, round: this.machine.round };
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Prepares the next height after the head and waits for its start by the production policy. */
  private enterHeight(): void {
    const head = this.host.head();
    this.height = head.height + 1;
    this.started = false;
    this.set = this.host.validators();
    this.jailed = this.host.jailed();
    const address = this.options.key?.address;
    const index = address === undefined ? -1 : this.set.findIndex((v) => equalBytes(v.address, address));
    this.self = index >= 0 ? index : null;
    this.blocks.clear();
    this.statements.clear();
    this.roundsAhead.clear();
    this.clearTimers();
    this.scheduleStart();
  }

  private dueAt(): number {
    const head = this.host.head();
    return head.timestamp + (this.host.pending() > 0 ? this.options.blockPeriodMs : this.options.heartbeatMs);
  }

  private scheduleStart(): void {
    if (this.startTimer !== undefined) clearTimeout(this.startTimer);
    this.startTimer = undefined;
    const wait = this.dueAt() - this.host.now();
    if (wait <= 0) return this.startHeight();
    this.startTimer = setTimeout(() => {
      this.startTimer = undefined;
      if (this.running && !this.started) this.scheduleStart();
    }, Math.min(wait, this.options.heartbeatMs));
  }

  private startHeight(): void {
    if (this.started || !this.running) return;
    this.started = true;
    if (this.startTimer !== undefined) clearTimeout(this.startTimer);
    this.startTimer = undefined;
    const snapshot = this.options.guard?.snapshot;
    const set = this.set;
    const jailed = this.jailed;
    const height = this.height;
    const restore = snapshot !== null && snapshot !== undefined && snapshot.height === height ? snapshot : undefined;
    if (restore !== undefined && this.kept?.header.height === height) this.blocks.set(toHex(headerHash(this.kept.header)), this.kept);
    this.step(() =>
      this.machine.startHeight({ height, size: set.length, self: this.self, proposer: (round) => proposerIndex(set, height, round, jailed) }, restore),
    );
    if (restore !== undefined) this.replayOwn(height);
    const buffered = this.future;
    this.future = [];
    for (const { message, from } of buffered) this.onWire(message, from);
    if (this.resendTimer === undefined) {
      const timeouts = this.options.timeouts ?? defaultTimeouts;
      this.resendTimer = setInterval(() => this.resend(), timeouts.prevoteMs);
      this.resendTimer.unref?.();
    }
  }

  /**
   * Messages get lost (a peer restarting, a flaky link): while a height is undecided, resend
   * the statements of the current and previous round, ours and the others' (each carries its
   * signer's signature), so a quorum that exists is eventually seen by every validator.
   */
  private resend(): void {
    if (!this.running || !this.started) return;
    // Only when stalled: a statement recorded since the last tick means messages still flow.
    const progress = this.recorded;
    if (progress !== this.recordedAtResend) return void (this.recordedAtResend = progress);
    const round = this.machine.round;
    for (const [key, list] of this.statements) {
      const [r, , index] = key.split("/").map(Number) as [number, number, number];
      if (r !== round && r !== round - 1) continue;
      for (const statement of list) {
        const block = statement.kind === StatementKind.PROPOSAL ? this.blocks.get(toHex(statement.blockHash)) : undefined;
        if (statement.kind === StatementKind.PROPOSAL && block === undefined) continue;
        const wire: WireMessage = block !== undefined ? { type: "proposal", index, statement, block } : { type: "vote", index, statement };
        this.options.transport.broadcast(encodeWireMessage(wire));
      }
    }
  }

  /**
   * After a crash, the machine resumes at its persisted round and step; what this validator
   * signed at the height is fed back to it (its log was lost), so a lone validator can finish
   * the height and others see our votes again.
   */
  private replayOwn(height: number): void {
    const self = this.self;
    const guard = this.options.guard;
    if (self === null || guard === null) return;
    for (const r of guard.statements) {
      if (r.height !== height) continue;
      const statement: Statement = { kind: r.kind, height, round: r.round, validRound: r.validRound, blockHash: fromHex(r.blockHash), signature: fromHex(r.signature) };
      const block = this.blocks.get(r.blockHash);
      if (r.kind === StatementKind.PROPOSAL && block === undefined) continue;
      this.record(self, statement);
      this.input({ kind: "message", message: this.machineMessage(statement, self) }, height);
    }
  }

  private machineMessage(statement: Statement, from: number): ConsensusMessage {
    const { height, round } = statement;
    const value = statement.blockHash.length === 0 ? null : toHex(statement.blockHash);
    if (statement.kind === StatementKind.PROPOSAL) return { kind: "proposal", height, round, value: value as ValueId, validRound: statement.validRound, from };
    return { kind: statement.kind === StatementKind.PREVOTE ? "prevote" : "precommit", height, round, value, from };
  }

  private input(input: MachineInput, height: number): void {
    if (!this.running || height !== this.height || !this.started) return;
    this.step(() => this.machine.handle(input));
  }

  /**
   * Runs the machine once and carries out its outputs. Each signed statement is persisted with
   * the machine's state as of that statement: its own round and step, and the lock as it was
   * (a lock only changes with a precommit, so statements before the first precommit of the
   * batch carry the lock from before it, and from it on the lock after it).
   */
  private step(run: () => MachineOutput[]): void {
    const before = this.machine.snapshot();
    const outputs = run();
    let lock: MachineSnapshot = before;
    for (const out of outputs) {
      if (out.kind === "broadcast" && out.message.kind === "precommit") lock = this.machine.snapshot();
      this.apply(out, lock);
    }
  }

  private apply(out: MachineOutput, lock: MachineSnapshot): void {
    switch (out.kind) {
      case "broadcast": {
        const { message } = out;
        this.signAndSend(message, { ...lock, height: message.height, round: message.round, step: STEP_OF[message.kind] });
        break;
      }
      case "schedule": {
        if (out.round > 0 && out.step === "propose") this.stats.rounds++;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.input({ kind: "timeout", step: out.step, height: out.height, round: out.round }, out.height);
        }, out.delayMs);
        this.timers.add(timer);
        break;
      }
      case "validate":
        this.validate(out.value);
        break;
      case "getValue":
        this.propose(out.height, out.round);
        break;
      case "decide":
        this.decide(out.round, out.value);
        break;
    }
  }

  /** The machine asks once per proposed value (it takes the blocks we build as valid). */
  private validate(value: ValueId): void {
    const height = this.height;
    const block = this.blocks.get(value);
    if (block === undefined) return this.input({ kind: "validated", value, valid: false }, height);
    this.host.validateBlock(block).then(
      () => this.input({ kind: "validated", value, valid: true }, height),
      (err: unknown) => {
        this.options.logger?.warn({ height, code: isAttestaError(err) ? err.code : undefined, err }, "proposed block is invalid");
        this.input({ kind: "validated", value, valid: false }, height);
      },
    );
  }

  private propose(height: number, round: number): void {
    // Restarted after proposing in this round: propose that block again, never another one.
    const signed = this.options.guard?.statements.find((r) => r.height === height && r.round === round && r.kind === StatementKind.PROPOSAL);
    if (signed !== undefined && this.blocks.has(signed.blockHash)) {
      return void queueMicrotask(() => this.input({ kind: "value", height, round, value: signed.blockHash }, height));
    }
    this.host.buildBlock(Math.max(this.host.now(), this.host.head().timestamp + 1)).then(
      ({ block, hash }) => {
        if (height !== this.height) return;
        const value = toHex(hash);
        this.blocks.set(value, block);
        this.input({ kind: "value", height, round, value }, height);
      },
      (err: unknown) => this.options.logger?.error({ err, height, round }, "block production failed"),
    );
  }

  /** Signs a machine message (the guard persists first) and sends it; our own statements are kept for the certificate. */
  private signAndSend(message: ConsensusMessage, snapshot: MachineSnapshot): void {
    const { key, guard, transport } = this.options;
    if (key === null || guard === null || this.self === null) return;
    const index = this.self;
    const block = message.kind === "proposal" ? this.blocks.get(message.value) : undefined;
    if (message.kind === "proposal" && block === undefined) return; // a lock restored without its block: let the round pass
    // The block of a value we propose or precommit is kept on disk first: restarted, we may have to propose it.
    const keep = message.kind !== "prevote" && message.value !== null ? this.blocks.get(message.value) : undefined;
    const statement = {
      kind: STATEMENT_KIND[message.kind],
      height: message.height,
      round: message.round,
      validRound: message.kind === "proposal" ? message.validRound : -1,
      blockHash: message.value === null ? NIL_HASH : fromHex(message.value),
    };
    this.signing = this.signing.then(async () => {
      if (keep !== undefined) await guard.saveBlock(statement.blockHash, () => encodeBlock(keep));
      const signature = await guard.sign(this.host.chainId, statement, snapshot);
      if (signature === undefined) {
        this.stats.refusedSignatures++;
        this.options.logger?.warn({ height: statement.height, round: statement.round, kind: statement.kind }, "refused to sign a conflicting statement");
        return;
      }
      const signed: Statement = { ...statement, signature };
      if (statement.height === this.height) this.record(index, signed);
      const wire: WireMessage = block !== undefined ? { type: "proposal", index, statement: signed, block } : { type: "vote", index, statement: signed };
      if (this.running) transport.broadcast(encodeWireMessage(wire));
    }).catch((err: unknown) => {
      // Nothing is sent unless what we sign is on disk first (a full disk, a dying SD card).
      this.stats.refusedSignatures++;
      this.options.logger?.error({ err, height: statement.height, round: statement.round }, "sign state not persisted: statement not sent");
    });
  }

  private decide(round: number, value: ValueId): void {
    const height = this.height;
    const block = this.blocks.get(value);
    if (block === undefined) return;
    // Our own precommit may still be on its way to disk: the certificate waits for it.
    void this.signing.then(() => {
      if (height !== this.height) return;
      const blockHash = fromHex(value);
      const signatures: Array<{ index: number; signature: Uint8Array }> = [];
      for (let index = 0; index < this.set.length; index++) {
        const s = this.statements.get(`${round}/${StatementKind.PRECOMMIT}/${index}`)?.find((p) => equalBytes(p.blockHash, blockHash));
        if (s !== undefined) signatures.push({ index, signature: s.signature });
      }
      // Each signature was verified on arrival (ours we made): only the count can be short,
      // if our own precommit never reached disk.
      if (signatures.length < commitQuorum(this.set.length)) {
        this.options.logger?.error({ height, round, signatures: signatures.length }, "decided without a certificate quorum in hand: not committed");
        return;
      }
      void this.advance(block, { height, round, blockHash, signatures }, false);
    });
  }

  /** Commits a decided block (ours, or a peer's whose certificate `checkDecision` passed) and moves to the next height. */
  private async advance(block: Block, commit: Commit, imported: boolean): Promise<void> {
    if (this.advancing || block.header.height !== this.height) return;
    this.advancing = true;
    try {
      await this.host.commitDecided(block, commit);
      this.stats.decided++;
      if (imported) this.stats.catchups++;
    } catch (err) {
      this.options.logger?.error({ err, height: block.header.height, code: isAttestaError(err) ? err.code : undefined }, "decided block not committed");
      return;
    } finally {
      this.advancing = false;
    }
    if (!this.running) return;
    this.enterHeight();
    const next = this.decisions.get(this.height);
    for (const h of [...this.decisions.keys()]) if (h <= this.height) this.decisions.delete(h);
    if (next === undefined) return;
    try {
      this.checkDecision(next.block, next.commit);
    } catch {
      this.stats.invalidMessages++;
      return;
    }
    void this.advance(next.block, next.commit, true);
  }

  /** A decision a peer sent for the height we decide: its certificate, against the set in force at it. Throws BAD_COMMIT. */
  private checkDecision(block: Block, commit: Commit): void {
    verifyCommit(commit, this.set, this.host.chainId, this.height, headerHash(block.header));
  }

  /**
   * Keeps a signed statement for the certificate and for resending; false if it is known (or
   * beyond the memory bounds). A second statement conflicting with the first is evidence, and
   * is still counted: the machine counts a validator once in "a quorum of anything" but its vote
   * for a value towards that value, or validators that saw the two in different orders could
   * stall. A third is dropped.
   */
  private record(index: number, statement: Statement): boolean {
    const key = `${statement.round}/${statement.kind}/${index}`;
    const known = this.statements.get(key);
    if (known !== undefined) {
      if (known.some((k) => !conflicting(k, statement))) return false;
      this.equivocation({ offender: (this.set[index] as ValidatorSet[number]).address, a: known[0] as Statement, b: statement });
      if (known.length >= 2) return false;
      known.push(statement);
      this.recorded++;
      return true;
    }
    if (statement.round > this.machine.round) {
      const ahead = this.roundsAhead.get(index) ?? new Set<number>();
      for (const r of ahead) if (r <= this.machine.round) ahead.delete(r);
      if (!ahead.has(statement.round) && ahead.size >= MAX_ROUNDS_AHEAD) return false;
      ahead.add(statement.round);
      this.roundsAhead.set(index, ahead);
    }
    this.statements.set(key, [statement]);
    this.recorded++;
    return true;
  }

  /** Reports new evidence (on chain and to peers); false when it was known. */
  private equivocation(evidence: Evidence): boolean {
    const id = `${toHex(evidence.offender)}/${evidence.a.height}/${evidence.a.round}/${evidence.a.kind}`;
    if (this.evidenceSeen.has(id)) return false;
    if (this.evidenceSeen.size > 4096) this.evidenceSeen.clear();
    this.evidenceSeen.add(id);
    this.stats.evidence++;
    this.options.logger?.warn({ offender: toHex(evidence.offender), height: evidence.a.height, round: evidence.a.round }, "equivocation");
    this.host.submitEvidence(evidence);
    if (this.running) this.options.transport.broadcast(encodeWireMessage({ type: "evidence", evidence }));
    return true;
  }

  private receive(bytes: Uint8Array, from: string): MessageVerdict {
    if (!this.running) return "ignore";
    let message: WireMessage;
    try {
      message = decodeWireMessage(bytes);
    } catch {
      this.stats.invalidMessages++;
      return "reject";
    }
    try {
      return this.onWire(message, from);
    } catch (err) {
      this.stats.invalidMessages++;
      this.options.logger?.debug({ err, from }, "consensus message refused");
      return "reject";
    }
  }

  /** Handles a decoded message; throws when it does not verify. */
  private onWire(message: WireMessage, from: string): MessageVerdict {
    switch (message.type) {
      case "proposal":
      case "vote":
        return this.onStatement(message, from);
      case "evidence":
        return this.onEvidence(message.evidence);
      case "decision":
        return this.onDecision(message.block, message.commit);
      case "catchup":
        void this.serveCatchup(message.fromHeight, from);
        return "accept";
    }
  }

  private onStatement(message: WireMessage & { type: "proposal" | "vote" }, from: string): MessageVerdict {
    const { statement, index } = message;
    if (statement.height === this.height + 1) {
      // Others have moved on: keep it for that height, and ask for the decision we missed.
      if (this.future.length < MAX_FUTURE_MESSAGES) this.future.push({ message, from });
      this.askCatchup(from);
      return "ignore";
    }
    if (statement.height > this.height + 1) {
      this.askCatchup(from);
      return "ignore";
    }
    if (statement.height < this.height) {
      void this.offerDecision(statement.height, from);
      return "ignore";
    }
    const validator = this.set[index];
    if (validator === undefined) throw new RangeError("unknown validator index");
    const isProposal = message.type === "proposal";
    if (isProposal !== (statement.kind === StatementKind.PROPOSAL)) throw new RangeError("statement kind does not match the message");
    if (isProposal) {
      if (index !== proposerIndex(this.set, this.height, statement.round, this.jailed)) throw new RangeError("not this round's proposer");
      if (message.block.header.height !== this.height || !equalBytes(headerHash(message.block.header), statement.blockHash)) {
        throw new RangeError("proposal block does not match its statement");
      }
    }
    if (!verifySignature("secp256k1", validator.publicKey, statement.signature, statementPayload(this.host.chainId, statement))) {
      throw new RangeError("bad signature");
    }
    // A validator has started this height: start it too if we were waiting for the block period.
    if (!this.started) this.startHeight();
    if (!this.record(index, statement)) return "ignore";
    if (isProposal && !this.blocks.has(toHex(statement.blockHash))) this.blocks.set(toHex(statement.blockHash), message.block);
    this.input({ kind: "message", message: this.machineMessage(statement, index) }, this.height);
    return "accept";
  }

  private onEvidence(evidence: Evidence): MessageVerdict {
    const validator = this.set.find((v) => equalBytes(v.address, evidence.offender));
    // Evidence about a validator no longer in the set cannot be checked here: not a fault.
    if (validator === undefined) return "ignore";
    if (!conflicting(evidence.a, evidence.b)) throw new RangeError("evidence does not hold");
    for (const s of [evidence.a, evidence.b]) {
      if (!verifySignature("secp256k1", validator.publicKey, s.signature, statementPayload(this.host.chainId, s))) throw new RangeError("evidence signature invalid");
    }
    return this.equivocation(evidence) ? "accept" : "ignore";
  }

  private onDecision(block: Block, commit: Commit): MessageVerdict {
    const height = block.header.height;
    if (height < this.height) return "ignore";
    if (height > this.height) {
      if (height <= this.height + CATCHUP_BATCH && this.decisions.size < CATCHUP_BATCH) this.decisions.set(height, { block, commit });
      return "accept";
    }
    this.checkDecision(block, commit);
    void this.advance(block, commit, true);
    return "accept";
  }

  private askCatchup(from: string): void {
    const now = this.host.now();
    if (now - this.lastCatchup < CATCHUP_INTERVAL_MS) return;
    this.lastCatchup = now;
    this.options.transport.send(from, encodeWireMessage({ type: "catchup", fromHeight: this.height }));
  }

  /** A peer still works on a height we decided: send it the decision (rate-limited like catch-up requests). */
  private async offerDecision(height: number, to: string): Promise<void> {
    const now = this.host.now();
    if (now - this.lastCatchup < CATCHUP_INTERVAL_MS) return;
    this.lastCatchup = now;
    await this.sendDecisions(height, height, to);
  }

  private async serveCatchup(fromHeight: number, to: string): Promise<void> {
    const last = Math.min(this.host.head().height, fromHeight + CATCHUP_BATCH - 1);
    await this.sendDecisions(fromHeight, last, to);
  }

  private async sendDecisions(first: number, last: number, to: string): Promise<void> {
    for (let h = Math.max(1, first); h <= last; h++) {
      const decided = await this.host.decided(h);
      if (decided === undefined) return;
      this.options.transport.send(to, encodeWireMessage({ type: "decision", block: decided.block, commit: decided.commit }));
    }
  }
}
