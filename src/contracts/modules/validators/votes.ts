import { ADDRESS_LENGTH } from "../../../crypto/address.js";
import { compareBytes, equalBytes } from "../../../crypto/bytes.js";
import { PUBLIC_KEY_LENGTH } from "../../../crypto/keyTypes.js";
import { decodeTrusted, encode } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { ModuleId, stateKey } from "../../moduleIds.js";
import type { StateOverlay, StateView } from "../../state.js";
import { removedBy, validatorSetAt } from "./schedule.js";
import { indexOfValidator, ValidatorsPart } from "./set.js";

/** The open votes of one proposal: add or remove `target`. */
export interface Proposal {
  readonly target: Uint8Array;
  readonly add: boolean;
  /** The key of the validator to add (from the first vote); null for a removal. */
  readonly publicKey: Uint8Array | null;
  /** Addresses of the validators that voted for it, sorted. */
  readonly voters: Uint8Array[];
}

/** Open votes one validator may have at a time (each about another target). */
export const MAX_OPEN_VOTES = 64;

const VOTES_KEY = stateKey(ModuleId.VALIDATORS, Uint8Array.of(ValidatorsPart.VOTES));

/** Proposal order: by target, removal before addition. */
export function compareProposals(a: Proposal, b: Proposal): number {
  return compareBytes(a.target, b.target) || Number(a.add) - Number(b.add);
}

/** Every stored proposal, sorted, as the last vote left them (see `openVotes` for a height's view). */
export function readProposals(state: StateView): Proposal[] {
  const bytes = state.get(VOTES_KEY);
  if (bytes === undefined) return [];
  return new TupleReader([decodeTrusted(bytes)], "validators", 1).list("votes").map((item) => {
    const r = new TupleReader(item, "proposal", 4);
    const target = r.bytes("target", ADDRESS_LENGTH);
    const add = r.bool("add");
    const publicKey = r.optional("publicKey", (v) => new TupleReader([v], "proposal", 1).bytes("publicKey", PUBLIC_KEY_LENGTH.secp256k1));
    const voters = r.list("voters").map((v) => new TupleReader([v], "proposal", 1).bytes("voter", ADDRESS_LENGTH));
    return { target, add, publicKey, voters };
  });
}

/** Writes the proposals that have votes, sorted (the caller's order does not matter). */
export function writeProposals(state: StateOverlay, proposals: readonly Proposal[]): void {
  const open = proposals.filter((p) => p.voters.length > 0).sort(compareProposals);
  if (open.length === 0) state.delete(VOTES_KEY);
  else state.set(VOTES_KEY, encode(open.map((p) => [p.target, p.add, p.publicKey, [...p.voters].sort(compareBytes)])));
}

/** The proposals without any vote of `voters`; proposals left without votes are dropped. */
export function discardVotesOf(proposals: readonly Proposal[], voters: readonly Uint8Array[]): Proposal[] {
  if (voters.length === 0) return [...proposals];
  return proposals
    .map((p) => ({ ...p, voters: p.voters.filter((v) => !voters.some((gone) => equalBytes(gone, v))) }))
    .filter((p) => p.voters.length > 0);
}

/**
 * The open votes, sorted by target (then removal before addition). With `height`, as they
 * stand at that height given the state after block `height − 1`: the votes of validators
 * removed by then are discarded, and only current validators' votes are listed.
 */
export function openVotes(state: StateView, height?: number): Proposal[] {
  const proposals = readProposals(state);
  if (height === undefined) return proposals;
  const set = validatorSetAt(state, height);
  return discardVotesOf(proposals, removedBy(state, height))
    .map((p) => ({ ...p, voters: p.voters.filter((v) => indexOfValidator(set, v) >= 0) }))
    .filter((p) => p.voters.length > 0);
}
