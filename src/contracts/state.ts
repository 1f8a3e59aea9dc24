import type { StateChange } from "../ledger/storage/chainStore.js";

/** Read access to committed state. */
export interface StateReader {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
}

interface Entry {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

const id = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");

/**
 * The state of a block under execution: writes buffered over a committed base, with
 * checkpoints so a failing transaction reverts its own writes (and only those).
 */
export class StateOverlay implements StateReader {
  private readonly writes = new Map<string, Entry>();
  /** Previous entries of keys written since each open checkpoint (undefined: not written before). */
  private readonly journals: Array<Map<string, Entry | undefined>> = [];

  constructor(private readonly base: StateReader) {}

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const entry = this.writes.get(id(key));
    if (entry !== undefined) return entry.value ?? undefined;
    return this.base.get(key);
  }

  set(key: Uint8Array, value: Uint8Array | null): void {
    const k = id(key);
    const journal = this.journals[this.journals.length - 1];
    if (journal !== undefined && !journal.has(k)) journal.set(k, this.writes.get(k));
    this.writes.set(k, { key, value });
  }

  delete(key: Uint8Array): void {
    this.set(key, null);
  }

  checkpoint(): void {
    this.journals.push(new Map());
  }

  /** Keeps the writes since the last checkpoint. */
  commitCheckpoint(): void {
    const journal = this.journals.pop();
    const outer = this.journals[this.journals.length - 1];
    if (journal === undefined) throw new RangeError("no checkpoint to commit");
    if (outer !== undefined) for (const [k, prev] of journal) if (!outer.has(k)) outer.set(k, prev);
  }

  /** Undoes the writes since the last checkpoint. */
  revertCheckpoint(): void {
    const journal = this.journals.pop();
    if (journal === undefined) throw new RangeError("no checkpoint to revert");
    for (const [k, prev] of journal) {
      if (prev === undefined) this.writes.delete(k);
      else this.writes.set(k, prev);
    }
  }

  /** Every key written, in a deterministic order (sorted by key bytes). */
  changes(): StateChange[] {
    return [...this.writes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  }
}
