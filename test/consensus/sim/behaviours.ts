import type { ConsensusMessage, ValueId } from "../../../src/consensus/tendermint/types.js";
import type { ByzantineStrategy } from "./scenario.js";
import type { Behaviour, SimNode } from "./node.js";

/** The block an honest proposer builds. */
function honestValue(height: number, round: number, node: SimNode): ValueId {
  return `h${height}-r${round}-p${node.id}`;
}

export const honest: Behaviour = {
  honest: true,
  send: (node, message) => node.broadcast(message),
  value: honestValue,
};

/** What the Byzantine validators of a run agree on: which nodes get the first of two messages, and the values they push. */
export class Coalition {
  /** Per `${height}:${round}`, the two proposals an equivocating proposer sent. */
  readonly twins = new Map<string, readonly [ValueId, ValueId]>();
  /** Per `${height}:${round}`, an invalid block a Byzantine proposer sent. */
  readonly invalid = new Map<string, ValueId>();

  constructor(private readonly firstHalf: ReadonlySet<number>) {}

  isFirst(node: number): boolean {
    return this.firstHalf.has(node);
  }
}

function withValue(message: ConsensusMessage, value: ValueId | null): ConsensusMessage {
  if (message.kind === "proposal") return { ...message, value: value ?? message.value };
  return { ...message, value };
}

/**
 * Sends `a` to some nodes and `b` to the others: half the time the coalition's two halves (all
 * Byzantine validators split the same way), else a fresh random choice, so that, say, the nodes
 * that see a quorum of prevotes are not those that see a quorum of precommits.
 */
function split(node: SimNode, coalition: Coalition, a: ConsensusMessage, b: ConsensusMessage): void {
  const prng = node.net.prng;
  const first = prng.chance(0.5) ? (to: number) => coalition.isFirst(to) : randomSide(node);
  node.broadcast(a, first);
  node.broadcast(b, (to) => !first(to));
}

function randomSide(node: SimNode): (to: number) => boolean {
  const side = new Set<number>();
  for (let to = 0; to < node.net.nodes; to++) if (node.net.prng.chance(0.5)) side.add(to);
  return (to) => side.has(to);
}

function equivocate(coalition: Coalition): Behaviour {
  return {
    honest: false,
    value: honestValue,
    send(node, message) {
      const key = `${message.height}:${message.round}`;
      if (message.kind === "proposal") {
        const twins = [message.value, `${message.value.replace(/x$/, "")}x`] as const;
        coalition.twins.set(key, twins);
        // The twin is a fresh block (validRound -1): only a validator's lock keeps it from prevoting it.
        split(node, coalition, message, { ...message, value: twins[1], validRound: -1 });
        return;
      }
      const twins = coalition.twins.get(key);
      if (twins !== undefined) {
        split(node, coalition, withValue(message, twins[0]), withValue(message, twins[1]));
        return;
      }
      // A double vote: what the machine chose to one half, something else to the other.
      const other = message.value === null ? (node.seenProposal(message.round)?.value ?? `h${message.height}-r${message.round}-p${node.id}`) : null;
      split(node, coalition, message, withValue(message, other));
    },
  };
}

/**
 * Forgets its lock (the attack locks exist for): proposes a fresh block whenever it proposes,
 * prevotes whatever was proposed in the round, and lets only a random few see its precommits, so
 * that some validators decide while others, locked, move on to a round with another block.
 */
function amnesia(): Behaviour {
  const proposed = new Map<string, ValueId>();
  return {
    honest: false,
    value: honestValue,
    send(node, message) {
      const key = `${message.height}:${message.round}`;
      if (message.kind === "proposal") {
        const value = honestValue(message.height, message.round, node);
        proposed.set(key, value);
        node.broadcast({ ...message, value, validRound: -1 });
      } else if (message.kind === "prevote") {
        const value = proposed.get(key) ?? node.seenProposal(message.round)?.value ?? message.value;
        node.broadcast(withValue(message, value));
      } else {
        const some = randomSide(node);
        node.broadcast(message, some);
        node.broadcast(withValue(message, null), (to) => !some(to));
      }
    },
  };
}

function invalid(coalition: Coalition): Behaviour {
  return {
    honest: false,
    value: (height, round, node) => {
      const value = `h${height}-r${round}-p${node.id}-bad`;
      coalition.invalid.set(`${height}:${round}`, value);
      return value;
    },
    send(node, message) {
      const bad = coalition.invalid.get(`${message.height}:${message.round}`);
      node.broadcast(bad !== undefined && message.kind !== "proposal" ? withValue(message, bad) : message);
    },
  };
}

const silent: Behaviour = { honest: false, value: honestValue, send: () => {} };

/** Plays its part and, every tick, sends a few messages no honest validator would. */
const garbage: Behaviour = {
  honest: false,
  value: honestValue,
  send: (node, message) => node.broadcast(message),
  tick(node) {
    const prng = node.net.prng;
    const h = node.height;
    const r = node.round;
    for (let i = 0; i < 3; i++) {
      const message = {
        kind: prng.pick(["proposal", "prevote", "precommit", "prevote", "bogus"]),
        height: prng.pick([h, h, h + 1, h - 1, h + 2, h + 1_000, -1, 1.5]),
        round: prng.pick([r, r, r + 1, r + 3, r + 1_000, 2 ** 40, -1, 0.5, Number.NaN]),
        value: prng.pick([null, "", `h${h}-r${r}-p${node.id}`, `h${h + 1}-r0-p${node.id}`, "unknown", `h${h}-r${r + 7}-p${node.id}`]),
        validRound: prng.pick([-1, r, r + 1, -2, 0.5]),
        // Never another validator's index: the engine's signature check would drop a forgery.
        from: prng.pick([node.id, node.id, node.n, node.n + 5, -1, 0.5]),
      } as unknown as ConsensusMessage;
      node.net.send(node.id, prng.int(0, node.net.nodes - 1), { kind: "consensus", message });
    }
  },
};

export function byzantine(strategy: ByzantineStrategy, coalition: Coalition): Behaviour {
  switch (strategy) {
    case "silent":
      return silent;
    case "equivocate":
      return equivocate(coalition);
    case "invalid":
      return invalid(coalition);
    case "garbage":
      return garbage;
    case "amnesia":
      return amnesia();
  }
}
