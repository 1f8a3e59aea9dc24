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

const NOTHING: Promise<undefined> = Promise.resolve(undefined);

/** `bytes` (null: absent) through `codec`, as the settled promise an async read would give. */
function settled<T>(bytes: Uint8Array | null, codec: StateCodec<T>): Promise<T | undefined> {
  if (bytes === null) return NOTHING;
  try {
    return Promise.resolve(codec.decode(bytes));
  } catch (err) {
    return Promise.reject(err as Error); // as an async read fails: a rejection, never a throw
  }
}

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

/**
 * A key's value in `state` through `codec` (decoded once per stored byte array). Not async, as
 * the overlay's and the memo's reads are not: a value they hold costs no promise of its own.
 */
export function readState<T>(state: StateReader, key: Uint8Array, codec: StateCodec<T>): Promise<T | undefined> {
  if (state instanceof StateOverlay) return state.read(key, codec);
  if (state instanceof MemoState) return state.readById(id(key), key, codec);
  return readBase(state, id(key), key, codec);
}

/** A read of a state that is neither an overlay nor a memo: from what it has at hand when it can. */
function readBase<T>(state: StateReader, k: string, key: Uint8Array, codec: StateCodec<T>): Promise<T | undefined> {
  const at = state.peek?.(k);
  if (at !== undefined) return settled(at, codec);
  return state.get(key).then((bytes) => (bytes === undefined ? undefined : codec.decode(bytes)));
}

/**
 * Reads of a state that does not change while this is used, memoised: each key is read from
 * `base` once. Admission keeps one per batch over the head state (and drops it after), so
 * the stateful checks and the dry runs of a batch read what they share once, against one head.
 */
export class MemoState implements StateReader {
  /** Each key's read: as the promise of it, or as the bytes (null: absent) the base had at hand. */
  private readonly reads = new Map<string, Promise<Uint8Array | undefined> | Uint8Array | null>();
  /** Each key's value through each codec it was read through. */
  private readonly values = new Map<StateCodec<unknown>, Map<string, Promise<unknown>>>();

  constructor(private readonly base: StateReader) {}

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getById(id(key), key);
  }

  /** `get`, with the key's id already computed (by an overlay over this). */
  getById(k: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    const read = this.read(k, key);
    return read instanceof Promise ? read : read === null ? NOTHING : Promise.resolve(read);
  }

  /** The key's read, made once: the base's bytes at hand when it has them, else its promise. */
  private read(k: string, key: Uint8Array): Promise<Uint8Array | undefined> | Uint8Array | null {
    let read = this.reads.get(k);
    if (read === undefined) {
      const at = this.base.peek?.(k);
      read = at !== undefined ? at : this.base.get(key);
      this.reads.set(k, read);
    }
    return read;
  }

  /** The value of `key` through `codec`, its id already computed. */
  readById<T>(k: string, key: Uint8Array, codec: StateCodec<T>): Promise<T | undefined> {
    let byKey = this.values.get(codec as StateCodec<unknown>);
    if (byKey === undefined) {
      byKey = new Map();
      this.values.set(codec as StateCodec<unknown>, byKey);
    }
    let value = byKey.get(k) as Promise<T | undefined> | undefined;
    if (value === undefined) {
      const read = this.read(k, key);
      // Bytes at hand are decoded now: a settled promise, not a chain of two.
      value = read instanceof Promise ? read.then((bytes) => (bytes === undefined ? undefined : codec.decode(bytes))) : settled(read, codec);
      byKey.set(k, value);
    }
    return value;
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
export class StateOverlay implements StateReader {
  private readonly writes = new Map<string, Entry>();
  /** Previous entries of keys written since each open checkpoint (undefined: not written before). */
  private readonly journals: Array<Map<string, Entry | undefined>> = [];

  constructor(private readonly base: StateReader) {}

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const k = id(key);
    const entry = this.writes.get(k);
    if (entry !== undefined) return Promise.resolve(bytesOf(entry) ?? undefined);
    return this.base instanceof MemoState ? this.base.getById(k, key) : this.base.get(key);
  }

  /** The value of `key` through `codec`: as written, when it was written through that codec. */
  read<T>(key: Uint8Array, codec: StateCodec<T>): Promise<T | undefined> {
    const k = id(key);
    const entry = this.writes.get(k);
    if (entry === undefined) return this.base instanceof MemoState ? this.base.readById(k, key, codec) : readBase(this.base, k, key, codec);
    if (entry.codec === codec && entry.bytes !== null) return Promise.resolve(entry.value as T);
    try {
      const bytes = bytesOf(entry);
      return Promise.resolve(bytes === null ? undefined : codec.decode(bytes));
    } catch (err) {
      return Promise.reject(err as Error); // as an async read fails: a rejection, never a throw
    }
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
