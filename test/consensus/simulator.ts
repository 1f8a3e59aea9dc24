// A deterministic, seeded discrete-event simulation of Tendermint validators in one process:
// a virtual clock, an event queue ordered by (time, sequence), one PRNG seeded from the scenario,
// and a network that delays, drops, duplicates, reorders and partitions until the global
// stabilisation time (GST). Checks safety at every decision and liveness after GST.
import type { ConsensusMessage, ValueId } from "../../src/consensus/tendermint/types.js";
import { Coalition, byzantine, honest } from "./sim/behaviours.js";
import { EventQueue } from "./sim/eventQueue.js";
import { SimNode, validValue, type LocalEvent, type NodeNetwork, type Packet } from "./sim/node.js";
import { Prng, mixSeed } from "./sim/prng.js";
import { describeScenario, type Scenario } from "./sim/scenario.js";

export { chooseScenario, describeScenario, type Scenario } from "./sim/scenario.js";

/** Honest nodes must reach this many decided heights, and two more than the best at GST. */
export const MIN_HEIGHTS = 4;
/** Within this much virtual time after GST. */
export const LIVENESS_BOUND_MS = 30_000;
const TRACE_LENGTH = 40;

type SimEvent =
  | { readonly kind: "deliver"; readonly from: number; readonly to: number; readonly packet: Packet }
  | { readonly kind: "local"; readonly node: number; readonly epoch: number; readonly event: LocalEvent }
  | { readonly kind: "crash"; readonly node: number }
  | { readonly kind: "restart"; readonly node: number }
  | { readonly kind: "gst" };

export interface SimResult {
  readonly scenario: Scenario;
  readonly violations: readonly string[];
  /** Decided heights per node (Byzantine ones included, not checked). */
  readonly heights: readonly number[];
  readonly endMs: number;
  readonly events: number;
  /** The last events, oldest first. */
  readonly trace: readonly string[];
}

class Simulation implements NodeNetwork {
  readonly prng: Prng;
  readonly nodes: number;
  now = 0;
  events = 0;
  readonly violations: string[] = [];
  private readonly queue = new EventQueue<SimEvent>();
  private readonly members: SimNode[] = [];
  private readonly epochs: number[] = [];
  private readonly honestNodes: SimNode[] = [];
  private readonly decisions = new Map<number, { node: number; value: ValueId }>();
  private readonly partitionSide: ReadonlySet<number>;
  /** The last TRACE_LENGTH events, a circular buffer. */
  private readonly ring: Array<{ time: number; event: SimEvent }> = [];
  private ringNext = 0;
  private target = Number.POSITIVE_INFINITY;
  /** Nodes whose crash after a lock has happened. */
  private readonly lockCrashed = new Set<number>();
  private done = false;

  constructor(private readonly s: Scenario) {
    this.prng = new Prng(mixSeed(s.seed, s.n, 0x0e7e4a11));
    this.nodes = s.n + s.followers;
    this.partitionSide = new Set(s.partition?.side ?? []);
    const coalition = new Coalition(new Set(s.firstHalf));
    for (let id = 0; id < this.nodes; id++) {
      const strategy = s.byzantine.find((b) => b.node === id)?.strategy;
      const node = new SimNode(id, s.n, id < s.n ? id : null, this, strategy ? byzantine(strategy, coalition) : honest);
      this.members.push(node);
      this.epochs.push(0);
      if (strategy === undefined) this.honestNodes.push(node);
    }
  }

  run(): SimResult {
    for (const c of this.s.crashes) {
      if (c.afterLock) continue; // see signed()
      this.queue.push(c.atMs, { kind: "crash", node: c.node });
      this.queue.push(c.restartMs, { kind: "restart", node: c.node });
    }
    this.queue.push(this.s.gstMs, { kind: "gst" });
    for (const node of this.members) node.start();
    const deadline = this.s.gstMs + LIVENESS_BOUND_MS;
    for (let next = this.queue.pop(); next !== undefined && !this.done; next = this.queue.pop()) {
      if (next.time > deadline) break;
      this.now = next.time;
      this.events++;
      this.record(next.time, next.event);
      this.dispatch(next.event);
    }
    if (this.violations.length === 0 && !this.done) {
      this.violations.push(`liveness: heights ${this.heightsText()} short of ${this.target} at ${deadline}ms (GST + ${LIVENESS_BOUND_MS}ms)`);
    }
    return {
      scenario: this.s,
      violations: this.violations,
      heights: this.members.map((m) => m.disk.chain.length),
      endMs: this.now,
      events: this.events,
      trace: this.traceText(),
    };
  }

  send(from: number, to: number, packet: Packet): void {
    const s = this.s;
    let delay = this.prng.int(1, s.maxDelayMs);
    if (this.now < s.gstMs) {
      const p = s.partition;
      if (p !== null && this.now >= p.fromMs && this.now < p.healMs && this.partitionSide.has(from) !== this.partitionSide.has(to)) return;
      if (s.dropRate > 0 && this.prng.chance(s.dropRate)) return;
      if (s.precommitDropRate > 0 && packet.kind === "consensus" && packet.message.kind === "precommit" && this.prng.chance(s.precommitDropRate)) return;
      if (s.reorderRate > 0 && this.prng.chance(s.reorderRate)) delay += this.prng.int(0, 300);
    }
    this.queue.push(this.now + delay, { kind: "deliver", from, to, packet });
    if (s.duplicateRate > 0 && this.prng.chance(s.duplicateRate)) {
      this.queue.push(this.now + delay + this.prng.int(0, s.maxDelayMs), { kind: "deliver", from, to, packet });
    }
  }

  later(node: number, delayMs: number, event: LocalEvent): void {
    this.queue.push(this.now + delayMs, { kind: "local", node, epoch: this.epochs[node]!, event });
  }

  decided(node: number, height: number, round: number, value: ValueId): void {
    const member = this.members[node]!;
    if (!member.behaviour.honest) return;
    if (!validValue(height, value)) this.violations.push(`validity: node ${node} decided invalid ${value} at height ${height} round ${round}`);
    const first = this.decisions.get(height);
    if (first === undefined) this.decisions.set(height, { node, value });
    else if (first.value !== value) {
      this.violations.push(`safety: node ${node} decided ${value} at height ${height} round ${round}, node ${first.node} decided ${first.value}`);
    }
    if (this.violations.length > 0) this.done = true;
    else if (this.honestNodes.every((m) => m.disk.chain.length + (m === member ? 1 : 0) >= this.target)) this.done = true;
  }

  signed(node: number, message: ConsensusMessage): void {
    if (message.kind !== "precommit" || message.value === null || this.now >= this.s.gstMs) return;
    const c = this.s.crashes.find((x) => x.node === node && x.afterLock && this.now >= x.atMs && !this.lockCrashed.has(node));
    if (c === undefined) return;
    this.lockCrashed.add(node);
    this.queue.push(this.now, { kind: "crash", node });
    this.queue.push(Math.min(this.now + c.restartMs - c.atMs, Math.max(this.s.gstMs, this.now + 1)), { kind: "restart", node });
  }

  violation(text: string): void {
    this.violations.push(text);
    this.done = true;
  }

  private dispatch(event: SimEvent): void {
    switch (event.kind) {
      case "deliver": {
        const node = this.members[event.to]!;
        if (node.up) node.onPacket(event.from, event.packet);
        break;
      }
      case "local": {
        const node = this.members[event.node]!;
        if (node.up && this.epochs[event.node] === event.epoch) node.onLocal(event.event);
        break;
      }
      case "crash":
        this.epochs[event.node]!++;
        this.members[event.node]!.crash();
        break;
      case "restart":
        this.members[event.node]!.start();
        break;
      case "gst": {
        const best = Math.max(...this.honestNodes.map((m) => m.disk.chain.length));
        this.target = Math.max(MIN_HEIGHTS, best + 2);
        if (this.honestNodes.every((m) => m.disk.chain.length >= this.target)) this.done = true;
        break;
      }
    }
  }

  private record(time: number, event: SimEvent): void {
    this.ring[this.ringNext] = { time, event };
    this.ringNext = (this.ringNext + 1) % TRACE_LENGTH;
  }

  private heightsText(): string {
    return `[${this.members.map((m) => `${m.id}:${m.disk.chain.length}${m.behaviour.honest ? "" : "(byz)"}`).join(" ")}]`;
  }

  private traceText(): string[] {
    const oldestFirst = [...this.ring.slice(this.ringNext), ...this.ring.slice(0, this.ringNext)];
    return oldestFirst.map(({ time, event }) => `${time}ms ${describeEvent(event)}`);
  }
}

function describeMessage(m: ConsensusMessage): string {
  return JSON.stringify(m);
}

function describeEvent(e: SimEvent): string {
  switch (e.kind) {
    case "deliver":
      if (e.packet.kind === "consensus") return `${e.from}->${e.to} ${describeMessage(e.packet.message)}`;
      return `${e.from}->${e.to} ${e.packet.kind} h${e.packet.height}`;
    case "local":
      return e.event.kind === "input" ? `node ${e.node} ${JSON.stringify(e.event.input)}` : `node ${e.node} ${e.event.kind}`;
    case "crash":
    case "restart":
      return `node ${e.node} ${e.kind}`;
    case "gst":
      return "GST";
  }
}

export function simulate(scenario: Scenario): SimResult {
  return new Simulation(scenario).run();
}

/** Everything needed to replay a failed run: seed, n, faults, a command, and the last events. */
export function formatFailure(result: SimResult): string {
  const s = result.scenario;
  return [
    `consensus simulation failed: seed ${s.seed}, n ${s.n}`,
    ...result.violations.map((v) => `  ${v}`),
    `  scenario: ${describeScenario(s)}`,
    `  heights: [${result.heights.join(", ")}] at ${result.endMs}ms after ${result.events} events`,
    `  replay: SEED=${s.seed} N=${s.n} npx vitest run --project consensus test/consensus/simulation.test.ts`,
    `  last ${result.trace.length} events:`,
    ...result.trace.map((line) => `    ${line}`),
  ].join("\n");
}
