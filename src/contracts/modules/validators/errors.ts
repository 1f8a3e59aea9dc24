import { ExecErrorCode } from "../../errors.js";

/**
 * Why a `validators.vote` fails (its receipt's code). Codes shared with the execution enum
 * keep their values there. Stable: never rename one.
 */
export const ValidatorErrorCode = {
  /** The sender is not in the validator set in force at the block's height. */
  UNAUTHORISED: ExecErrorCode.UNAUTHORISED,
  /** A vote to add an account that is a validator, or will be once the scheduled changes take effect. */
  ALREADY_VALIDATOR: "ALREADY_VALIDATOR",
  /** A vote to remove an account that is not a validator, or will not be once the scheduled changes take effect. */
  NOT_A_VALIDATOR: "NOT_A_VALIDATOR",
  /** A vote to remove the only validator left (once the scheduled changes take effect). */
  LAST_VALIDATOR: "LAST_VALIDATOR",
  /** A vote to add a validator to a full set (MAX_VALIDATORS). */
  TOO_MANY_VALIDATORS: "TOO_MANY_VALIDATORS",
  /** The public key of an added validator is not a secp256k1 point, or its address is not the target. */
  INVALID_PUBLIC_KEY: "INVALID_PUBLIC_KEY",
  /** The voter already has MAX_OPEN_VOTES open votes. */
  TOO_MANY_VOTES: "TOO_MANY_VOTES",
  /** Evidence whose statements do not conflict, are not the offender's signatures, or concern a future height. */
  INVALID_EVIDENCE: "INVALID_EVIDENCE",
  /** Evidence about a height more than EVIDENCE_MAX_AGE blocks old. */
  EVIDENCE_TOO_OLD: "EVIDENCE_TOO_OLD",
  /** Evidence of this offender at this height, round and kind is already recorded. */
  DUPLICATE_EVIDENCE: "DUPLICATE_EVIDENCE",
} as const;
export type ValidatorErrorCode = (typeof ValidatorErrorCode)[keyof typeof ValidatorErrorCode];
