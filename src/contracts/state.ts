import type { StateChange } from "../ledger/storage/chainStore.js";

/** Read access to committed state. */
export interface StateReader {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * A key's bytes when they are at hand, without waiting: by the key's id (its bytes as a
   * binary string, see `id`), the bytes, null when the key is known to be absent, or
   * undefined when not at hand (then `get`). Optional: a cache in front of a database has it.
   */
  peek?(id: string): Uint8Array | null | undefined;
}

/**
 * Thrown by a synchronous read whose key's bytes are not at hand (outside a scouting run, see
 * `settle`): whoever runs contract code then settles it. Not an Error: a miss is routine (a
 * cold cache), and a stack trace would cost more than the read.
 */
export class NotAtHand {
  constructor(readonly key: Uint8Array) {}
}

/**
 * What contract code reads: state whose reads are synchronous. A read of a key not at hand
 * throws NotAtHand, or while scouting reads as absent and is noted; `fetch` brings keys to
 * hand. Sync reads keep contract code free of async calls (a promise and a microtask turn per
 * read, the larger part of a dry run's cost before).
 */
export interface StateView {
  /** The bytes under a key (null: absent), the key's id (see `id`) computed; throws NotAtHand. */
  bytesById(k: string, key: Uint8Array): Uint8Array | null;
  /** The bytes under `key` (undefined: absent); throws NotAtHand. */
  get(key: Uint8Array): Uint8Array | undefined;
  /** The value under `key` through `codec` (undefined: absent); throws NotAtHand. */
  read<T>(key: Uint8Array, codec: StateCodec<T>): T | undefined;
  /** Brings `keys` to hand (read in parallel): the next read of each does not miss. */
  fetch(keys: readonly Uint8Array[]): Promise<void>;
  /**
   * While `misses` is set (a scouting run), a read not at hand reads as absent and its key is
   * added there by id, instead of throwing NotAtHand; unset, misses throw again.
   */
  scout(misses: Map<string, Uint8Array> | undefined): void;
}

/** The state with nothing in it (genesis builds on it). */
export const EMPTY_STATE: StateReader = { get: () => Promise.resolve(undefined), peek: () => null };
/**
 * How one kind of state value is stored. Values written through a codec stay decoded in the
 * overlay and are encoded only when their bytes are needed (`changes()`, or a raw `get`): a
 * dry run, whose writes are thrown away, encodes nothing, and a block encodes a key written by
 * many transactions once. Decoding is memoised per byte array: the overlay and the node's state
 * cache hand back the very arrays stored, so a value read again is not decoded again.
 *
 * Sound because `decode(encode(v))` is `v` for every value written (no field outside the
 * encoding, numbers that survive it) and neither values nor byte arrays are ever mutated.
 */
export class StateCodec<T> {
  private readonly decoded = new WeakMap<Uint8Array, T>();

  constructor(
    private readonly encodeValue: (value: T) => Uint8Array,
    private readonly decodeValue: (bytes: Uint8Array) => T,
  ) {}

  encode(value: T): Uint8Array {
    const bytes = this.encodeValue(value);
    this.decoded.set(bytes, value);
    return bytes;
  }

  decode(bytes: Uint8Array): T {
    let value = this.decoded.get(bytes);
    if (value === undefined) {
      value = this.decodeValue(bytes);
      this.decoded.set(bytes, value);
    }
    return value;
  }
}

/** A key's value through `codec` (decoded once per stored byte array); throws NotAtHand. */
export function readState<T>(state: StateView, key: Uint8Array, codec: StateCodec<T>): T | undefined {
  return state.read(key, codec);
}

/** A fetch that left its key missing would make `settle` loop: a bug in a StateView, said as one. */
function missedAgain(key: Uint8Array): never {
  throw new RangeError(`state key ${Buffer.from(key).toString("hex")} missed again after its fetch`);
}

/**
 * Runs `attempt` (contract code over `view`) until a run reads nothing that is not at hand, and
 * returns that run's result (or throws its error). Each run scouts: a read not at hand reads
 * as absent and is noted, and the run goes on, so it finds the other keys it needs too (a
 * bridge's batch names hundreds of devices, each a miss on a cold cache). A run that noted
 * misses is thrown away: its keys are fetched together and the attempt runs again from its
 * start. Only a run with every read at hand counts, so what the cache held changes nothing.
 * With `overlay`, each run is in a checkpoint of its own, kept only for the run that counts;
 * without, `attempt` must write nowhere that outlives it. `first` is a miss of a strict run
 * the caller already made.
 */
export async function settle<T>(view: StateView, attempt: () => T, first?: NotAtHand, overlay?: StateOverlay): Promise<T> {
  const misses = new Map<string, Uint8Array>();
  if (first !== undefined) misses.set(id(first.key), first.key);
  const fetched = new Set<string>();
  for (;;) {
    if (misses.size > 0) {
      for (const [k, key] of misses) {
        if (fetched.has(k)) missedAgain(key);
        fetched.add(k);
      }
      await view.fetch([...misses.values()]);
      misses.clear();
    }
    overlay?.checkpoint();
    view.scout(misses);
    let result: T | undefined;
    let failure: unknown;
    let failed = false;
    try {
      result = attempt();
    } catch (err) {
      failed = true;
      failure = err;
    } finally {
      view.scout(undefined);
    }
    if (failed || misses.size > 0) overlay?.revertCheckpoint();
    else overlay?.commitCheckpoint();
    if (misses.size > 0) continue; // read absent what may exist: a guess, thrown away
    if (failed) throw failure;
    return result as T;
  }
}

/** `attempt()`, or the miss that stopped it (any other throw goes through). */
export function attemptNow<T>(attempt: () => T): T | NotAtHand {
  try {
    return attempt();
  } catch (err) {
    if (err instanceof NotAtHand) return err;
    throw err;
  }
}

/**
 * `attempt()` now when its reads are at hand (no promise made: the usual case, a warm cache),
 * else the promise of it settled. `attempt` must write nowhere that outlives it.
 */
export function attemptOrSettle<T>(view: StateView, attempt: () => T): T | Promise<T> {
  const result = attemptNow(attempt);
  return result instanceof NotAtHand ? settle(view, attempt, result) : result;
}

/** A read-only question of committed state: `ask` over a memo of `state`, settled (see `settle`). */
export function query<T>(state: StateReader, ask: (view: StateView) => T): Promise<T> {
  const memo = new MemoState(state);
  return settle(memo, () => ask(memo));
}

/**
 * Committed state made synchronous: each key is read from `base` once, from what it has at
 * hand (`peek`) or fetched, and kept, so reads of a memo never change while it is used.
 * Admission keeps one per batch over the head state (and drops it after), so the stateful
 * checks and the dry runs of a batch read what they share once, against one head; block
 * execution keeps one per block.
 */
export class MemoState implements StateView {
  /** Each key's bytes (null: absent), as read. */
  private readonly reads = new Map<string, Uint8Array | null>();
  /** Set while scouting: the keys read that were not at hand. */
  private misses: Map<string, Uint8Array> | undefined;

  constructor(private readonly base: StateReader) {}

  bytesById(k: string, key: Uint8Array): Uint8Array | null {
    let bytes = this.reads.get(k);
    if (bytes === undefined) {
      bytes = this.base.peek?.(k);
      if (bytes === undefined) {
        if (this.misses === undefined) throw new NotAtHand(key);
        this.misses.set(k, key);
        return null; // a guess for this scouting run only: not kept
      }
      this.reads.set(k, bytes);
    }
    return bytes;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.bytesById(id(key), key) ?? undefined;
  }

  read<T>(key: Uint8Array, codec: StateCodec<T>): T | undefined {
    const bytes = this.bytesById(id(key), key);
    return bytes === null ? undefined : codec.decode(bytes);
  }

  async fetch(keys: readonly Uint8Array[]): Promise<void> {
    await Promise.all(keys.map((key) => this.fetchOne(key)));
  }

  private async fetchOne(key: Uint8Array): Promise<void> {
    const k = id(key);
    if (this.reads.has(k)) return;
    const bytes = await this.base.get(key);
    // Another attempt may have fetched it meanwhile: the first read stands.
    if (!this.reads.has(k)) this.reads.set(k, bytes ?? null);
  }

  scout(misses: Map<string, Uint8Array> | undefined): void {
    this.misses = misses;
  }
}

/**
 * A written key: its bytes (null: deleted; undefined: not encoded yet), or its value and codec
 * when written through one. Entries are replaced, never changed, except that `bytes` is filled
 * in once encoded (which changes nothing they stand for).
 */
interface Entry {
  readonly key: Uint8Array;
  bytes: Uint8Array | null | undefined;
  readonly value: unknown;
  readonly codec: StateCodec<unknown> | undefined;
}

/** A key as a binary (latin1) string, for maps: one char per byte (apply beats a Buffer for short keys). */
export function id(key: Uint8Array): string {
  return key.length <= 256 ? String.fromCharCode.apply(null, key as unknown as number[]) : Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}

function bytesOf(entry: Entry): Uint8Array | null {
  if (entry.bytes === undefined) entry.bytes = (entry.codec as StateCodec<unknown>).encode(entry.value);
  return entry.bytes;
}

/**
 * The state of a block under execution: writes buffered over a committed base, with
 * checkpoints so a failing transaction reverts its own writes (and only those).
 */
export class StateOverlay implements StateView {
  private readonly writes = new Map<string, Entry>();
  /** Previous entries of keys written since each open checkpoint (undefined: not written before). */
  private readonly journals: Array<Map<string, Entry | undefined>> = [];

  constructor(private readonly base: StateView) {}

  /** An overlay over committed state (through a memo of it: see MemoState). */
  static over(state: StateReader): StateOverlay {
    return new StateOverlay(new MemoState(state));
  }

  bytesById(k: string, key: Uint8Array): Uint8Array | null {
    const entry = this.writes.get(k);
    return entry === undefined ? this.base.bytesById(k, key) : bytesOf(entry);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.bytesById(id(key), key) ?? undefined;
  }

  /** The value of `key` through `codec`: as written, when it was written through that codec. */
  read<T>(key: Uint8Array, codec: StateCodec<T>): T | undefined {
    const k = id(key);
    const entry = this.writes.get(k);
    if (entry !== undefined && entry.codec === codec && entry.bytes !== null) return entry.value as T;
    const bytes = entry === undefined ? this.base.bytesById(k, key) : bytesOf(entry);
    return bytes === null ? undefined : codec.decode(bytes);
  }

  fetch(keys: readonly Uint8Array[]): Promise<void> {
    return this.base.fetch(keys);
  }

  scout(misses: Map<string, Uint8Array> | undefined): void {
    this.base.scout(misses);
  }

  set(key: Uint8Array, value: Uint8Array | null): void {
    this.write({ key, bytes: value, value: undefined, codec: undefined });
  }

  /** Writes a value through its codec: encoded only when its bytes are needed. */
  put<T>(key: Uint8Array, value: T, codec: StateCodec<T>): void {
    this.write({ key, bytes: undefined, value, codec: codec as StateCodec<unknown> });
  }

  delete(key: Uint8Array): void {
    this.set(key, null);
  }

  private write(entry: Entry): void {
    const k = id(entry.key);
    const journal = this.journals[this.journals.length - 1];
    if (journal !== undefined && !journal.has(k)) journal.set(k, this.writes.get(k));
    this.writes.set(k, entry);
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

  /** Every key written, in a deterministic order (sorted by key bytes), its value encoded. */
  changes(): StateChange[] {
    return [...this.writes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => ({ key: e.key, value: bytesOf(e) }));
  }
}
