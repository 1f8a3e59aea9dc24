import type { Encodable } from "../ledger/codec.js";
import type { ChainEvent } from "../ledger/receipt.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import type { ChainParams } from "./params.js";
import type { StateOverlay, StateView } from "./state.js";

/** The block a transaction executes in. */
export interface BlockEnv {
  readonly chainId: string;
  readonly height: number;
  /** Block timestamp in ms: the only clock a contract sees. */
  readonly timestamp: number;
  readonly proposer: Uint8Array;
  readonly params: ChainParams;
}

/** What a method sees: the state, the caller, the block, and a way to emit events. */
export interface CallContext {
  readonly state: StateOverlay;
  readonly sender: Uint8Array;
  readonly tx: SignedTransaction;
  readonly env: BlockEnv;
  emit(type: string, attributes: ReadonlyArray<readonly [string, Encodable]>): void;
}

/** A transaction's signer as the chain sees it: where its nonce lives, and who pays its fee. */
export interface SignerAccount {
  readonly nonce: number;
  /** The account charged the fee (the signer itself, or a device's owner). */
  readonly payer: Uint8Array;
  readonly payerBalance: bigint;
}

/**
 * How a method's signer is resolved and charged. Accounts sign for themselves; a device's
 * transactions carry the device's own nonce and are paid by its owner.
 */
export interface Signer {
  /** Throws an AttestaError with a TxErrorCode when `sender` cannot sign this method. */
  resolve(state: StateView, sender: Uint8Array): SignerAccount;
  /**
   * Uses the nonce and takes the fee (the caller has checked both). `account` is what
   * `resolve` returned over the same state, unchanged since: a signer may charge from what
   * it read then instead of reading it again.
   */
  charge(state: StateOverlay, sender: Uint8Array, account: SignerAccount, fee: bigint): void;
}

/**
 * A contract method: a strict argument decoder (throws MALFORMED, so a transaction with bad
 * arguments never enters the mempool nor a valid block) and a deterministic execution that
 * throws an AttestaError with an ExecErrorCode to fail (its writes are then reverted).
 * Methods are synchronous: a state read that is not at hand throws NotAtHand, and the runner
 * fetches the key and runs the transaction again from its start (see `settle`). So a method
 * catches only what it throws itself, and keeps nothing outside the state between runs.
 */
export interface Method<A> {
  readonly decodeArgs: (args: readonly Encodable[]) => A;
  readonly execute: (ctx: CallContext, args: A) => void;
  /** Who may sign it; the registry's default (accounts) when absent. */
  readonly signer?: Signer;
  /**
   * Whether `sender` may call it (a role, ownership of what it names): throws an AttestaError
   * (UNAUTHORISED) when not. Execution calls it just before `execute` (a refusal fails the
   * receipt) and admission calls it against the head state, so both agree.
   */
  readonly authorise?: (state: StateView, sender: Uint8Array, args: A) => void;
}

/** A method with its argument type erased, as held by the registry. */
export interface RegisteredMethod {
  readonly decodeArgs: (args: readonly Encodable[]) => unknown;
  readonly execute: (ctx: CallContext, args: unknown) => void;
  readonly signer?: Signer;
  readonly authorise?: (state: StateView, sender: Uint8Array, args: unknown) => void;
}

export function defineMethod<A>(method: Method<A>): RegisteredMethod {
  return method as unknown as RegisteredMethod;
}

export interface ContractModule {
  readonly name: string;
  readonly methods: Readonly<Record<string, RegisteredMethod>>;
}

/** Resolves a transaction's `kind` ("module.method") to its method. */
export class ContractRegistry {
  private readonly methods = new Map<string, RegisteredMethod>();

  constructor(modules: readonly ContractModule[], readonly defaultSigner: Signer) {
    for (const m of modules) {
      for (const [name, method] of Object.entries(m.methods)) this.methods.set(`${m.name}.${name}`, method);
    }
  }

  method(kind: string): RegisteredMethod | undefined {
    return this.methods.get(kind);
  }

  /** The signer rule of `kind` (the default for unknown kinds, which admission refuses anyway). */
  signerFor(kind: string): Signer {
    return this.methods.get(kind)?.signer ?? this.defaultSigner;
  }

  kinds(): string[] {
    return [...this.methods.keys()].sort();
  }
}

export type { ChainEvent };
