import { ADDRESS_LENGTH } from "../../../crypto/address.js";
import { compareBytes, equalBytes } from "../../../crypto/bytes.js";
import { decodeTrusted, encode } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { ModuleId, stateKey } from "../../moduleIds.js";
import type { StateOverlay, StateView } from "../../state.js";
import { ValidatorsPart, type ValidatorSet } from "./set.js";

const JAILED_KEY = stateKey(ModuleId.VALIDATORS, Uint8Array.of(ValidatorsPart.JAILED));

/**
 * Validators convicted of equivocation by on-chain evidence, sorted by address. A jailed
 * validator still votes (removing it takes a vote) but is never chosen as proposer, until a
 * vote about it is decided: its removal, or a vote to add it again (a pardon).
 */
export function readJailed(state: StateView): Uint8Array[] {
  const bytes = state.get(JAILED_KEY);
  if (bytes === undefined) return [];
  return new TupleReader([decodeTrusted(bytes)], "validators", 1).list("jailed").map((v) => new TupleReader([v], "jailed", 1).bytes("address", ADDRESS_LENGTH));
}

function writeJailed(state: StateOverlay, jailed: readonly Uint8Array[]): void {
  if (jailed.length === 0) state.delete(JAILED_KEY);
  else state.set(JAILED_KEY, encode([...jailed].sort(compareBytes)));
}

export function isJailed(jailed: readonly Uint8Array[], address: Uint8Array): boolean {
  return jailed.some((a) => equalBytes(a, address));
}

/** Jails `address`; false if it already was. */
export function jail(state: StateOverlay, address: Uint8Array): boolean {
  const jailed = readJailed(state);
  if (isJailed(jailed, address)) return false;
  writeJailed(state, [...jailed, address]);
  return true;
}

/** Frees `address`; false if it was not jailed. */
export function release(state: StateOverlay, address: Uint8Array): boolean {
  const jailed = readJailed(state);
  if (!isJailed(jailed, address)) return false;
  writeJailed(state, jailed.filter((a) => !equalBytes(a, address)));
  return true;
}

/**
 * The indexes in `set` that may propose: every validator not jailed, or the whole set if all
 * are (a chain must keep a proposer).
 */
export function proposerIndexes(set: ValidatorSet, jailed: readonly Uint8Array[]): number[] {
  const free = set.map((_, i) => i).filter((i) => !isJailed(jailed, (set[i] as ValidatorSet[number]).address));
  return free.length > 0 ? free : set.map((_, i) => i);
}


