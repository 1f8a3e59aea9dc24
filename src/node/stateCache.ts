import { BoundedCache } from "../boundedCache.js";
import type { StateReader } from "../contracts/state.js";
import type { ChainStore, StateChange } from "../ledger/storage/chainStore.js";

const id = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");

/**
 * The head state for reads: level behind a bounded cache (absent keys cached too). Only the
 * chain updates it, right after a block is committed, so it always shows the head.
 */
export class StateCache implements StateReader {
  private readonly entries: BoundedCache<string, Uint8Array | null>;

  // 100,000 entries: about 25 MB, within the node's heap cap with the mempool full.
  constructor(private readonly store: ChainStore, capacity = 100_000) {
    this.entries = new BoundedCache(capacity);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const k = id(key);
    const cached = this.entries.get(k);
    if (cached !== undefined) return cached ?? undefined;
    const value = await this.store.stateValue(key);
    this.entries.set(k, value ?? null);
    return value;
  }

  /** Applies a committed block's changes. */
  apply(changes: readonly StateChange[]): void {
    for (const c of changes) this.entries.set(id(c.key), c.value);
  }
}
