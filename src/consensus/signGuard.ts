import { fromHex, toHex } from "../crypto/bytes.js";
import { signPayload } from "../crypto/keys.js";
import { statementPayload, StatementKind, type Statement } from "../ledger/consensusMessages.js";
import type { MachineSnapshot } from "./tendermint/types.js";

/** The last statement a validator signed, as persisted (hex for the bytes). */
export interface SignedRecord {
  readonly height: number;
  readonly round: number;
  readonly kind: StatementKind;
  readonly validRound: number;
  readonly blockHash: string;
  readonly signature: string;
}

/** What a validator persists before anything it signs leaves it. */
export interface SignState {
  readonly last: SignedRecord | null;
  /** Everything signed at `last.height`, in order: replayed into the machine after a crash. */
  readonly statements: readonly SignedRecord[];
  /** The machine's round, step, locked and valid value at that moment: restored after a crash. */
  readonly snapshot: MachineSnapshot | null;
}

export const EMPTY_SIGN_STATE: SignState = { last: null, statements: [], snapshot: null };

/**
 * Durable storage of the sign state: `save` returns only once the state survives a crash. The
 * block of a value the validator proposed or precommitted is kept too (`saveBlock`), so a
 * validator restarted while locked on it can still propose it: without it, a lone validator
 * would stay locked on a block it no longer has.
 */
export interface SignStateStore {
  load(): Promise<SignState>;
  save(state: SignState): Promise<void>;
  loadBlock(): Promise<Uint8Array | undefined>;
  saveBlock(block: Uint8Array): Promise<void>;
}

/** Order of statements within a round: a proposal, then a prevote, then a precommit. */
function position(height: number, round: number, kind: StatementKind): [number, number, number] {
  return [height, round, kind === StatementKind.PROPOSAL ? 0 : kind === StatementKind.PREVOTE ? 1 : 2];
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

/**
 * Never sign twice: every statement is checked against the last one signed, and the new one
 * is persisted (with the machine's lock) before its signature is returned. A statement at an
 * earlier (height, round, step) is refused; at the same position, only the very same
 * statement is (re-)signed, so a restarted validator may resend what it sent but never
 * contradict it.
 */
export class SignGuard {
  private queue: Promise<unknown> = Promise.resolve();
  private savedBlock: string | undefined;
  /** Statements refused because they conflicted with one signed before. */
  refused = 0;

  private constructor(
    private readonly store: SignStateStore,
    private readonly secretKey: Uint8Array,
    private state: SignState,
  ) {}

  static async open(store: SignStateStore, secretKey: Uint8Array): Promise<SignGuard> {
    return new SignGuard(store, secretKey, await store.load());
  }

  /** The machine snapshot persisted with the last signature (null before the first). */
  get snapshot(): MachineSnapshot | null {
    return this.state.snapshot;
  }

  /** What was signed at the last height signed, in order. */
  get statements(): readonly SignedRecord[] {
    return this.state.statements;
  }

  /** Durably keeps the block of a value about to be proposed or precommitted (before its statement is signed). */
  saveBlock(hash: Uint8Array, block: () => Uint8Array): Promise<void> {
    const id = toHex(hash);
    const run = this.queue.then(async () => {
      if (this.savedBlock === id) return;
      await this.store.saveBlock(block());
      this.savedBlock = id;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The block kept by `saveBlock`, as its bytes, if any. */
  loadBlock(): Promise<Uint8Array | undefined> {
    return this.store.loadBlock();
  }

  get last(): SignedRecord | null {
    return this.state.last;
  }

  /** The signature of `statement`, or undefined if signing it would contradict an earlier one. */
  sign(chainId: string, statement: Omit<Statement, "signature">, snapshot: MachineSnapshot): Promise<Uint8Array | undefined> {
    const run = this.queue.then(() => this.signNow(chainId, statement, snapshot));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async signNow(chainId: string, s: Omit<Statement, "signature">, snapshot: MachineSnapshot): Promise<Uint8Array | undefined> {
    const last = this.state.last;
    const blockHash = toHex(s.blockHash);
    if (last !== null) {
      const order = compare(position(s.height, s.round, s.kind), position(last.height, last.round, last.kind));
      if (order < 0 || (order === 0 && (last.blockHash !== blockHash || last.validRound !== s.validRound))) {
        this.refused++;
        return undefined;
      }
      if (order === 0) return fromHex(last.signature);
    }
    const signature = signPayload("secp256k1", this.secretKey, statementPayload(chainId, s));
    const record: SignedRecord = { height: s.height, round: s.round, kind: s.kind, validRound: s.validRound, blockHash, signature: toHex(signature) };
    const next: SignState = {
      last: record,
      statements: last !== null && last.height === s.height ? [...this.state.statements, record] : [record],
      snapshot,
    };
    await this.store.save(next);
    this.state = next;
    return signature;
  }
}

/** A store in memory, for tests and simulations: "durable" as long as the object lives. */
export class MemorySignStateStore implements SignStateStore {
  private state: SignState = EMPTY_SIGN_STATE;
  private block: Uint8Array | undefined;
  saves = 0;

  async loadBlock(): Promise<Uint8Array | undefined> {
    return this.block;
  }

  async saveBlock(block: Uint8Array): Promise<void> {
    this.block = block;
  }

  async load(): Promise<SignState> {
    return this.state;
  }

  async save(state: SignState): Promise<void> {
    this.state = state;
    this.saves++;
  }
}
