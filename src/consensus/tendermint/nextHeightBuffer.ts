import type { ConsensusMessage } from "./types.js";

/**
 * Messages of the next height, kept until the machine starts it: validators that decided first
 * move on while we finish, and their first messages must not be lost. Bounded: per (sender, kind)
 * at most `perKind` messages of distinct rounds, the highest seen; only senders in [0, size).
 */
export class NextHeightBuffer {
  private readonly kept = new Map<string, ConsensusMessage[]>();

  constructor(private readonly perKind: number) {}

  add(message: ConsensusMessage, size: number): void {
    if (message.from < 0 || message.from >= size) return;
    const key = `${message.from}:${message.kind}`;
    const list = this.kept.get(key) ?? [];
    if (list.some((m) => m.round === message.round)) return;
    if (list.length >= this.perKind) {
      let lowest = 0;
      for (let i = 1; i < list.length; i++) if (list[i]!.round < list[lowest]!.round) lowest = i;
      if (message.round < list[lowest]!.round) return;
      list.splice(lowest, 1);
    }
    list.push(message);
    this.kept.set(key, list);
  }

  /** Empties the buffer, returning what it held, lowest rounds first. */
  drain(): ConsensusMessage[] {
    const all = [...this.kept.values()].flat().sort((a, b) => a.round - b.round);
    this.kept.clear();
    return all;
  }
}
