import type { StateReader } from "../contracts/state.js";
import type { ChainStore, StateChange } from "../ledger/storage/chainStore.js";

const id = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");

/**
 * The head state for reads: level behind a bounded cache (absent keys cached too). Only the
 * chain updates it, right after a block is committed, so it always shows the head.
 */
export class StateCache implements StateReader {
  private readonly entries = new Map<string, Uint8Array | null>();

  constructor(private readonly store: ChainStore, private readonly capacity = 250_000) {}

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const k = id(key);
    const cached = this.entries.get(k);
    if (cached !== undefined) return cached ?? undefined;
    const value = await this.store.stateValue(key);
    this.remember(k, value ?? null);
    return value;
  }

  private remember(k: string, value: Uint8Array | null): void {
    if (this.entries.size >= this.capacity && !this.entries.has(k)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(k, value);
  }

  /** Applies a committed block's changes. */
  apply(changes: readonly StateChange[]): void {
    for (const c of changes) this.remember(id(c.key), c.value);
  }
}
