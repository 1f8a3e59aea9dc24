import { BoundedCache } from "../boundedCache.js";
import { id, type StateReader } from "../contracts/state.js";
import type { ChainStore, StateChange } from "../ledger/storage/chainStore.js";

/**
 * The head state for reads: level behind a bounded cache (absent keys cached too). Only the
 * chain updates it, right after a block is committed, so it always shows the head.
 */
export class StateCache implements StateReader {
  private readonly entries: BoundedCache<string, Uint8Array | null>;
  /** Blocks applied: a database read that a block overtook does not enter the cache. */
  private applied = 0;

  // 100,000 entries: about 25 MB, within the node's heap cap with the mempool full.
  constructor(private readonly store: Pick<ChainStore, "stateValue">, capacity = 100_000) {
    this.entries = new BoundedCache(capacity);
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const k = id(key);
    const cached = this.entries.get(k);
    if (cached !== undefined) return Promise.resolve(cached ?? undefined);
    return this.load(k, key);
  }

  /** The bytes of a cached key (null: known absent), by the key as a binary string; undefined when not cached. */
  peek(k: string): Uint8Array | null | undefined {
    return this.entries.get(k);
  }

  private async load(k: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    const applied = this.applied;
    const value = await this.store.stateValue(key);
    // A block applied while the database read was out may have written the key, and the read
    // may show the state before it: caching it would hide the block's value until evicted.
    if (this.applied === applied) this.entries.set(k, value ?? null);
    return value;
  }

  /** Applies a committed block's changes. */
  apply(changes: readonly StateChange[]): void {
    this.applied++;
    for (const c of changes) this.entries.set(id(c.key), c.value);
  }
}
