import { ADDRESS_LENGTH } from "../../../crypto/address.js";
import { PUBLIC_KEY_LENGTH } from "../../../crypto/keyTypes.js";
import { decodeTrusted, encode } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { ModuleId, stateKey } from "../../moduleIds.js";
import type { StateOverlay, StateView } from "../../state.js";
import { indexOfValidator, readValidatorSet, validator, ValidatorsPart, writeValidatorSet, type ValidatorSet } from "./set.js";

/** A decided change of the validator set: in force from `effectiveHeight` (decided at that height − 2). */
export interface ValidatorChange {
  readonly effectiveHeight: number;
  readonly add: boolean;
  readonly address: Uint8Array;
  /** The added validator's key; null for a removal. */
  readonly publicKey: Uint8Array | null;
}

/** Blocks between the decision of a change and the first height it is in force at (DESIGN.md). */
export const CHANGE_DELAY = 2;

const PENDING_KEY = stateKey(ModuleId.VALIDATORS, Uint8Array.of(ValidatorsPart.PENDING));

/** The decided changes not yet folded into the stored set, in decision order (so by effective height). */
export function pendingChanges(state: StateView): ValidatorChange[] {
  const bytes = state.get(PENDING_KEY);
  if (bytes === undefined) return [];
  return new TupleReader([decodeTrusted(bytes)], "validators", 1).list("pending").map((item) => {
    const r = new TupleReader(item, "validatorChange", 4);
    const effectiveHeight = r.uint("effectiveHeight");
    const add = r.bool("add");
    const address = r.bytes("address", ADDRESS_LENGTH);
    const publicKey = r.optional("publicKey", (v) => new TupleReader([v], "validatorChange", 1).bytes("publicKey", PUBLIC_KEY_LENGTH.secp256k1));
    return { effectiveHeight, add, address, publicKey };
  });
}

export function writePendingChanges(state: StateOverlay, changes: readonly ValidatorChange[]): void {
  if (changes.length === 0) state.delete(PENDING_KEY);
  else state.set(PENDING_KEY, encode(changes.map((c) => [c.effectiveHeight, c.add, c.address, c.publicKey])));
}

/** `set` with `changes` applied in order: an addition goes to the end, a removal keeps the others' order. */
export function applyChanges(set: ValidatorSet, changes: readonly ValidatorChange[]): ValidatorSet {
  let result = set;
  for (const c of changes) {
    const present = indexOfValidator(result, c.address) >= 0;
    if (c.add && !present && c.publicKey !== null) result = [...result, validator(c.publicKey)];
    else if (!c.add && present) result = result.filter((v) => indexOfValidator([v], c.address) < 0);
  }
  return result;
}

function splitDue(pending: readonly ValidatorChange[], height: number): { due: ValidatorChange[]; rest: ValidatorChange[] } {
  return { due: pending.filter((c) => c.effectiveHeight <= height), rest: pending.filter((c) => c.effectiveHeight > height) };
}

/**
 * The validator set in force at `height`, given the state after block `height − 1` (a change
 * decided in block h is in force from h + 2). Also right for any later height (it then
 * includes the changes already decided), never for an earlier one.
 */
export function validatorSetAt(state: StateView, height: number): ValidatorSet {
  const { due } = splitDue(pendingChanges(state), height);
  return applyChanges(readValidatorSet(state), due);
}

/** The addresses that changes due by `height` remove: their votes are discarded. */
export function removedBy(state: StateView, height: number): Uint8Array[] {
  return splitDue(pendingChanges(state), height).due.flatMap((c) => (c.add ? [] : [c.address]));
}

export interface FoldedSchedule {
  /** The set in force at the height folded to. */
  readonly set: ValidatorSet;
  /** The changes still ahead, in decision order. */
  readonly pending: ValidatorChange[];
  /** The validators the folded changes removed. */
  readonly removed: Uint8Array[];
}

/** Folds the changes due by `height` into the stored set (a vote running at `height` does this first). */
export function foldDueChanges(state: StateOverlay, height: number): FoldedSchedule {
  const { due, rest } = splitDue(pendingChanges(state), height);
  const stored = readValidatorSet(state);
  if (due.length === 0) return { set: stored, pending: rest, removed: [] };
  const set = applyChanges(stored, due);
  writeValidatorSet(state, set);
  writePendingChanges(state, rest);
  return { set, pending: rest, removed: due.flatMap((c) => (c.add ? [] : [c.address])) };
}
