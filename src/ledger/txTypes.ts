import type { KeyType } from "../crypto/keyTypes.js";
import type { Encodable } from "./codec.js";

// The shapes of a transaction, apart from transaction.ts so its fast decoder (txDecode.ts),
// which transaction.ts imports, can name them without an import cycle.

/**
 * A transaction as its signer builds it. The sender is not a field: it is the address of
 * `publicKey`, which every transaction carries so its signature checks without any state.
 * `expiry` is the last height at which it may be included (0: never expires).
 */
export interface UnsignedTransaction {
  readonly chainId: string;
  readonly nonce: number;
  readonly fee: bigint;
  readonly expiry: number;
  readonly kind: string;
  readonly args: readonly Encodable[];
  readonly keyType: KeyType;
  readonly publicKey: Uint8Array;
}

export interface Transaction extends UnsignedTransaction {
  readonly signature: Uint8Array;
}
