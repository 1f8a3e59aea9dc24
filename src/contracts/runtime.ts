import type { Encodable } from "../ledger/codec.js";
import type { ChainEvent } from "../ledger/receipt.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import type { ChainParams } from "./params.js";
import type { StateOverlay } from "./state.js";

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

/**
 * A contract method: a strict argument decoder (throws MALFORMED, so a transaction with bad
 * arguments never enters the mempool nor a valid block) and a deterministic execution that
 * throws an AttestaError with an ExecErrorCode to fail (its writes are then reverted).
 */
export interface Method<A> {
  readonly decodeArgs: (args: readonly Encodable[]) => A;
  readonly execute: (ctx: CallContext, args: A) => Promise<void>;
}

/** A method with its argument type erased, as held by the registry. */
export interface RegisteredMethod {
  readonly decodeArgs: (args: readonly Encodable[]) => unknown;
  readonly execute: (ctx: CallContext, args: unknown) => Promise<void>;
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

  constructor(modules: readonly ContractModule[]) {
    for (const m of modules) {
      for (const [name, method] of Object.entries(m.methods)) this.methods.set(`${m.name}.${name}`, method);
    }
  }

  method(kind: string): RegisteredMethod | undefined {
    return this.methods.get(kind);
  }

  kinds(): string[] {
    return [...this.methods.keys()].sort();
  }
}

export type { ChainEvent };
