/**
 * Why an included transaction failed (its receipt's code). The fee is still paid and the
 * transaction's own writes are reverted. Stable codes: never rename one.
 */
export const ExecErrorCode = {
  INSUFFICIENT_FUNDS: "INSUFFICIENT_FUNDS",
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  UNAUTHORISED: "UNAUTHORISED",
} as const;
export type ExecErrorCode = (typeof ExecErrorCode)[keyof typeof ExecErrorCode];

/** Why a block is refused at import. */
export const BlockErrorCode = {
  MALFORMED: "MALFORMED",
  WRONG_CHAIN: "WRONG_CHAIN",
  BAD_HEIGHT: "BAD_HEIGHT",
  BAD_PARENT: "BAD_PARENT",
  BAD_TIMESTAMP: "BAD_TIMESTAMP",
  WRONG_PROPOSER: "WRONG_PROPOSER",
  BAD_PROPOSER_SIGNATURE: "BAD_PROPOSER_SIGNATURE",
  BAD_TX_ROOT: "BAD_TX_ROOT",
  BAD_STATE_ROOT: "BAD_STATE_ROOT",
  BAD_RECEIPTS_ROOT: "BAD_RECEIPTS_ROOT",
  BAD_VALIDATORS_HASH: "BAD_VALIDATORS_HASH",
  BAD_COMMIT: "BAD_COMMIT",
  TOO_LARGE: "TOO_LARGE",
  DUPLICATE_TX: "DUPLICATE_TX",
  INVALID_TX: "INVALID_TX",
} as const;
export type BlockErrorCode = (typeof BlockErrorCode)[keyof typeof BlockErrorCode];
