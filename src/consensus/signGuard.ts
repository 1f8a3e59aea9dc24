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
  /** The machine's locked and valid value and round at that moment: restored after a crash. */
  readonly snapshot: MachineSnapshot | null;
}

/** Durable storage of the sign state: `save` returns only once the state survives a crash. */
export interface SignStateStore {
  load(): Promise<SignState>;
  save(state: SignState): Promise<void>;
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
    const next: SignState = {
      last: { height: s.height, round: s.round, kind: s.kind, validRound: s.validRound, blockHash, signature: toHex(signature) },
      snapshot,
    };
    await this.store.save(next);
    this.state = next;
    return signature;
  }
}

/** A store in memory, for tests and simulations: "durable" as long as the object lives. */
export class MemorySignStateStore implements SignStateStore {
  private state: SignState = { last: null, snapshot: null };
  saves = 0;

  async load(): Promise<SignState> {
    return this.state;
  }

  async save(state: SignState): Promise<void> {
    this.state = state;
    this.saves++;
  }
}
