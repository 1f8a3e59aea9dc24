import { validatorKeysHash } from "../../../ledger/commitCheck.js";
import { addressOf } from "../../../crypto/address.js";
import { equalBytes } from "../../../crypto/bytes.js";
import { PUBLIC_KEY_LENGTH } from "../../../crypto/keyTypes.js";
import { decodeTrusted, encode } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { ModuleId, stateKey } from "../../moduleIds.js";
import type { StateOverlay, StateView } from "../../state.js";

/** A validator: a secp256k1 key of equal voting power. */
export interface Validator {
  readonly publicKey: Uint8Array;
  readonly address: Uint8Array;
}

export type ValidatorSet = readonly Validator[];

export const MAX_VALIDATORS = 256;

// State layout of the validators module (first byte ModuleId.VALIDATORS, then one of these; stable):
//   SET     -> [publicKey...]: the set as last brought up to date (genesis, or a vote folding in due changes)
//   PENDING -> [[effectiveHeight, add, address, publicKey | null]...]: decided changes, in decision order
//   VOTES   -> [[target, add, publicKey | null, [voter...]]...]: open proposals, sorted by target then direction
//   JAILED  -> [address...]: validators convicted of equivocation, sorted (never chosen as proposer)
//   EVIDENCE ‖ sha256(offender ‖ kind ‖ height ‖ round) -> height recorded: evidence already judged
export const ValidatorsPart = { SET: 0x00, PENDING: 0x01, VOTES: 0x02, JAILED: 0x03, EVIDENCE: 0x04 } as const;

const SET_KEY = stateKey(ModuleId.VALIDATORS, Uint8Array.of(ValidatorsPart.SET));

export function validator(publicKey: Uint8Array): Validator {
  return { publicKey, address: addressOf(publicKey) };
}

export function encodeValidatorSet(set: ValidatorSet): Uint8Array {
  return encode(set.map((v) => v.publicKey));
}

/** The hash a header commits to (validatorsHash, nextValidatorsHash): the one rule in ledger/commitCheck.ts. */
export function validatorSetHash(set: ValidatorSet): Uint8Array {
  return validatorKeysHash(set.map((v) => v.publicKey));
}

/** The position of `address` in `set`, or -1. */
export function indexOfValidator(set: ValidatorSet, address: Uint8Array): number {
  return set.findIndex((v) => equalBytes(v.address, address));
}

/**
 * The set stored in state: the genesis set with every scheduled change folded in up to the
 * last `validators.vote` (changes fold in lazily, when a vote runs at or past their height).
 * A caller that knows the height wants `validatorSetAt`, which adds the changes due since.
 */
export function readValidatorSet(state: StateView): ValidatorSet {
  const bytes = state.get(SET_KEY);
  if (bytes === undefined) return [];
  const list = new TupleReader([decodeTrusted(bytes)], "validators", 1).list("set", MAX_VALIDATORS);
  return list.map((item) => validator(new TupleReader([item], "validator", 1).bytes("publicKey", PUBLIC_KEY_LENGTH.secp256k1)));
}

export function writeValidatorSet(state: StateOverlay, set: ValidatorSet): void {
  state.set(SET_KEY, encodeValidatorSet(set));
}
