import { Prng, mixSeed } from "./prng.js";

/** How a Byzantine validator misbehaves. */
export type ByzantineStrategy =
  /** Sends nothing at all. */
  | "silent"
  /** As proposer, two different valid proposals to two halves; as voter, each half a different vote. */
  | "equivocate"
  /** As proposer, a block the others find invalid; as voter, votes for such blocks. */
  | "invalid"
  /** Plays its part, and sprays messages out of range, for other heights, of unknown values. */
  | "garbage"
  /** Ignores its lock: fresh blocks as proposer, prevotes any proposal, precommits seen by a few. */
  | "amnesia";

export interface Scenario {
  readonly seed: number;
  /** Validators. */
  readonly n: number;
  /** Non-validators that follow (self = null); they must decide too. */
  readonly followers: number;
  /** Global stabilisation time: from here no drops or partitions, delays at most `maxDelayMs`. */
  readonly gstMs: number;
  readonly maxDelayMs: number;
  /** Before GST: per message. */
  readonly dropRate: number;
  /** Before GST: extra chance that a precommit is lost, so that some lock a value and few see it decided. */
  readonly precommitDropRate: number;
  readonly duplicateRate: number;
  /** Before GST: chance of an extra delay of up to 300 ms, so later messages overtake. */
  readonly reorderRate: number;
  /** Before GST: two sides that cannot talk from `fromMs` until `healMs`. */
  readonly partition: { readonly fromMs: number; readonly healMs: number; readonly side: readonly number[] } | null;
  /**
   * Honest nodes that crash and restart from their disk, both before GST: at `atMs`, or, with
   * `afterLock`, at the first precommit for a value they sign after `atMs` (just locked), then
   * down for `restartMs - atMs`.
   */
  readonly crashes: ReadonlyArray<{ readonly node: number; readonly atMs: number; readonly restartMs: number; readonly afterLock: boolean }>;
  /** At most f = floor((n - 1) / 3) validators, by index. */
  readonly byzantine: ReadonlyArray<{ readonly node: number; readonly strategy: ByzantineStrategy }>;
  /** For equivocation: the nodes that get the first of two messages (the rest get the second). */
  readonly firstHalf: readonly number[];
}

const STRATEGIES: readonly ByzantineStrategy[] = ["silent", "equivocate", "invalid", "garbage", "amnesia"];

function rate(prng: Prng, max: number): number {
  return prng.chance(0.5) ? 0 : Math.round(prng.next() * max * 100) / 100;
}

/** The faults of a run, all drawn from the seed: the same (seed, n) is the same scenario. */
export function chooseScenario(seed: number, n: number): Scenario {
  const prng = new Prng(mixSeed(seed, n, 0x5ce7a210));
  const f = Math.floor((n - 1) / 3);
  const followers = prng.chance(0.2) ? 1 : 0;
  const nodes = n + followers;
  const gstMs = prng.chance(0.2) ? 0 : prng.int(200, 8_000);
  const maxDelayMs = prng.int(5, 50);
  const calm = gstMs === 0;
  const byzantineCount = prng.chance(0.6) ? f : prng.int(0, f);
  const byzantineNodes = prng.shuffle([...Array(n).keys()]).slice(0, byzantineCount);
  const byzantine = byzantineNodes.map((node) => ({ node, strategy: prng.pick(STRATEGIES) }));
  const honest = [...Array(nodes).keys()].filter((i) => !byzantineNodes.includes(i));
  const crashes = calm
    ? []
    : honest
        .filter(() => prng.chance(0.2))
        .map((node) => {
          const atMs = prng.int(0, gstMs - 1);
          return { node, atMs, restartMs: Math.min(gstMs, atMs + prng.int(10, 1_000)), afterLock: prng.chance(0.5) };
        });
  let partition: Scenario["partition"] = null;
  if (!calm && nodes > 1 && prng.chance(0.3)) {
    const fromMs = prng.int(0, Math.floor(gstMs / 2));
    const side = prng.shuffle([...Array(nodes).keys()]).slice(0, prng.int(1, nodes - 1));
    partition = { fromMs, healMs: prng.int(fromMs, gstMs), side: side.sort((a, b) => a - b) };
  }
  const firstHalf = prng.shuffle([...Array(nodes).keys()]).slice(0, Math.ceil(nodes / 2)).sort((a, b) => a - b);
  return {
    seed,
    n,
    followers,
    gstMs,
    maxDelayMs,
    dropRate: calm ? 0 : rate(prng, 0.5),
    precommitDropRate: calm ? 0 : rate(prng, 0.8),
    duplicateRate: rate(prng, 0.2),
    reorderRate: calm ? 0 : rate(prng, 0.2),
    partition,
    crashes,
    byzantine,
    firstHalf,
  };
}

/** One line naming every fault, for a failure report. */
export function describeScenario(s: Scenario): string {
  const parts = [
    `n=${s.n}`,
    `followers=${s.followers}`,
    `gst=${s.gstMs}ms`,
    `delay=1..${s.maxDelayMs}ms`,
    `drop=${s.dropRate}`,
    `precommitDrop=${s.precommitDropRate}`,
    `dup=${s.duplicateRate}`,
    `reorder=${s.reorderRate}`,
    `partition=${s.partition ? `[${s.partition.side.join(",")}] ${s.partition.fromMs}..${s.partition.healMs}ms` : "none"}`,
    `crashes=${s.crashes.length ? s.crashes.map((c) => `${c.node}@${c.afterLock ? "lock>" : ""}${c.atMs}..${c.restartMs}ms`).join(",") : "none"}`,
    `byzantine=${s.byzantine.length ? s.byzantine.map((b) => `${b.node}:${b.strategy}`).join(",") : "none"}`,
    `firstHalf=[${s.firstHalf.join(",")}]`,
  ];
  return parts.join(" ");
}
