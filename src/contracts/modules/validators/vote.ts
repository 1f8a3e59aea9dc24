import { ADDRESS_LENGTH, addressOf } from "../../../crypto/address.js";
import { equalBytes, toHex } from "../../../crypto/bytes.js";
import { PUBLIC_KEY_LENGTH } from "../../../crypto/keyTypes.js";
import { publicKeyObject } from "../../../crypto/nodeKeys.js";
import { AttestaError } from "../../../errors.js";
import { CodecErrorCode, type Encodable } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { defineMethod, type CallContext, type ContractModule } from "../../runtime.js";
import { ValidatorErrorCode } from "./errors.js";
import { applyChanges, CHANGE_DELAY, foldDueChanges, writePendingChanges, type ValidatorChange } from "./schedule.js";
import { evidenceMethods } from "./evidence.js";
import { isJailed, readJailed, release } from "./jail.js";
import { indexOfValidator, MAX_VALIDATORS, type ValidatorSet } from "./set.js";
import { discardVotesOf, MAX_OPEN_VOTES, readProposals, writeProposals, type Proposal } from "./votes.js";

/**
 * `validators.vote [target: bytes20, add: boolean, publicKey: bytes33 | null]`: the target's
 * key is required to add; to remove it may be null (if given, it must be the target's).
 */
export interface VoteArgs {
  readonly target: Uint8Array;
  readonly add: boolean;
  readonly publicKey: Uint8Array | null;
}

function decodeVoteArgs(args: readonly Encodable[]): VoteArgs {
  const r = new TupleReader(args, "args", 3);
  const target = r.bytes("target", ADDRESS_LENGTH);
  const add = r.bool("add");
  const publicKey = r.optional("publicKey", (v) => new TupleReader([v], "args", 1).bytes("publicKey", PUBLIC_KEY_LENGTH.secp256k1));
  if (add && publicKey === null) throw new AttestaError(CodecErrorCode.MALFORMED, "args.publicKey: required to add", { field: "args.publicKey" });
  return { target, add, publicKey };
}

function isSecp256k1Point(publicKey: Uint8Array): boolean {
  try {
    publicKeyObject("secp256k1", publicKey);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why this vote cannot be cast against the set as it will be once the scheduled changes take
 * effect. A vote to add a jailed validator is a pardon: valid, and it frees it once decided.
 */
function invalidVote(eventual: ValidatorSet, jailed: readonly Uint8Array[], { target, add, publicKey }: VoteArgs): ValidatorErrorCode | undefined {
  const member = indexOfValidator(eventual, target) >= 0;
  if (add) {
    if (member && !isJailed(jailed, target)) return ValidatorErrorCode.ALREADY_VALIDATOR;
    if (publicKey === null || !equalBytes(addressOf(publicKey), target) || !isSecp256k1Point(publicKey)) return ValidatorErrorCode.INVALID_PUBLIC_KEY;
    if (!member && eventual.length >= MAX_VALIDATORS) return ValidatorErrorCode.TOO_MANY_VALIDATORS;
    return undefined;
  }
  if (!member) return ValidatorErrorCode.NOT_A_VALIDATOR;
  if (publicKey !== null && !equalBytes(addressOf(publicKey), target)) return ValidatorErrorCode.INVALID_PUBLIC_KEY;
  if (eventual.length === 1) return ValidatorErrorCode.LAST_VALIDATOR;
  return undefined;
}

const sameTarget = (p: Proposal, target: Uint8Array): boolean => equalBytes(p.target, target);
const hasVoter = (p: Proposal, voter: Uint8Array): boolean => p.voters.some((v) => equalBytes(v, voter));

function withVote(proposals: readonly Proposal[], { target, add, publicKey }: VoteArgs, voter: Uint8Array): Proposal[] {
  const existing = proposals.find((p) => sameTarget(p, target) && p.add === add);
  if (existing === undefined) return [...proposals, { target, add, publicKey, voters: [voter] }];
  return proposals.map((p) => (p === existing ? { ...p, voters: [...p.voters, voter] } : p));
}

/** The votes of current validators for the proposal. */
function countVotes(current: ValidatorSet, proposal: Proposal | undefined): number {
  return proposal === undefined ? 0 : proposal.voters.filter((v) => indexOfValidator(current, v) >= 0).length;
}

/**
 * Counts the proposal's votes by current validators; past half of the set, the change is
 * scheduled for `height + CHANGE_DELAY`, every vote about its target is cleared and, if the
 * target was jailed, it is freed at once (removed later, or pardoned).
 */
function tally(
  ctx: CallContext,
  current: ValidatorSet,
  proposals: Proposal[],
  pending: readonly ValidatorChange[],
  { target, add, publicKey }: VoteArgs,
): void {
  const proposal = proposals.find((p) => sameTarget(p, target) && p.add === add);
  if (2 * countVotes(current, proposal) <= current.length) {
    writeProposals(ctx.state, proposals);
    return;
  }
  const effectiveHeight = ctx.env.height + CHANGE_DELAY;
  writePendingChanges(ctx.state, [...pending, { effectiveHeight, add, address: target, publicKey: add ? (proposal?.publicKey ?? publicKey) : null }]);
  writeProposals(ctx.state, proposals.filter((p) => !sameTarget(p, target)));
  if (release(ctx.state, target)) ctx.emit("validators.released", [["target", target]]);
  ctx.emit("validators.changed", [
    ["target", target],
    ["add", add],
    ["effectiveHeight", effectiveHeight],
  ]);
}

/**
 * go-ethereum Clique voting (EIP-225), with the change in force two heights after its
 * decision. A validator has one vote per target: the same vote again changes nothing (the
 * tally is counted again, as Clique recasts it), a vote the other way first withdraws the
 * earlier one. Validity (add a non-validator, remove a validator, never the last) is judged
 * against the set as it will be once the scheduled changes take effect, so a change is never
 * decided twice; as every vote about a target is cleared when a change about it is decided,
 * a vote the other way is then always invalid and only withdraws (it succeeds, as in Clique).
 */
const vote = defineMethod<VoteArgs>({
  decodeArgs: decodeVoteArgs,
  execute(ctx, args) {
    const { target, add } = args;
    const voter = ctx.sender;
    const folded = foldDueChanges(ctx.state, ctx.env.height);
    const current = folded.set;
    if (indexOfValidator(current, voter) < 0) {
      throw new AttestaError(ValidatorErrorCode.UNAUTHORISED, "only a current validator votes", { voter: toHex(voter) });
    }
    let proposals = discardVotesOf(readProposals(ctx.state), folded.removed);
    const earlier = proposals.find((p) => sameTarget(p, target) && hasVoter(p, voter));
    if (earlier?.add === add) return tally(ctx, current, proposals, folded.pending, args);
    if (earlier !== undefined) {
      proposals = discardVotesOf([earlier], [voter]).concat(proposals.filter((p) => p !== earlier));
      ctx.emit("validators.withdrawn", [
        ["voter", voter],
        ["target", target],
        ["add", earlier.add],
      ]);
    }
    const invalid = invalidVote(applyChanges(current, folded.pending), readJailed(ctx.state), args);
    if (invalid !== undefined) {
      if (earlier === undefined) throw new AttestaError(invalid, "vote refused", { target: toHex(target), add });
      writeProposals(ctx.state, proposals);
      return;
    }
    if (proposals.filter((p) => hasVoter(p, voter)).length >= MAX_OPEN_VOTES) {
      throw new AttestaError(ValidatorErrorCode.TOO_MANY_VOTES, "too many open votes", { max: MAX_OPEN_VOTES });
    }
    proposals = withVote(proposals, args, voter);
    ctx.emit("validators.voted", [
      ["voter", voter],
      ["target", target],
      ["add", add],
      ["votes", countVotes(current, proposals.find((p) => sameTarget(p, target) && p.add === add))],
      ["validators", current.length],
    ]);
    tally(ctx, current, proposals, folded.pending, args);
  },
});

export const validatorsModule: ContractModule = { name: "validators", methods: { vote, ...evidenceMethods } };
