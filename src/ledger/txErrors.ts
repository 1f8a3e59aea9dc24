/**
 * Why a transaction is refused (at admission) or makes a block invalid (at import).
 * Stable: codes reach the API, logs and metrics unchanged; never rename one.
 */
export const TxErrorCode = {
  MALFORMED: "MALFORMED",
  NON_CANONICAL: "NON_CANONICAL",
  TOO_LARGE: "TOO_LARGE",
  WRONG_CHAIN: "WRONG_CHAIN",
  EXPIRED: "EXPIRED",
  BAD_SIGNATURE: "BAD_SIGNATURE",
  UNKNOWN_SENDER: "UNKNOWN_SENDER",
  NONCE_TOO_LOW: "NONCE_TOO_LOW",
  NONCE_TOO_HIGH: "NONCE_TOO_HIGH",
  INSUFFICIENT_FUNDS: "INSUFFICIENT_FUNDS",
  FEE_TOO_LOW: "FEE_TOO_LOW",
  UNKNOWN_METHOD: "UNKNOWN_METHOD",
  DUPLICATE: "DUPLICATE",
  MEMPOOL_FULL: "MEMPOOL_FULL",
  /** Same sender and nonce as a pending transaction, without paying at least 10% more. */
  REPLACEMENT_UNDERPRICED: "REPLACEMENT_UNDERPRICED",
  /** Left the mempool for a transaction of the same sender and nonce paying more. */
  REPLACED: "REPLACED",
  UNAUTHORISED: "UNAUTHORISED",
  DEVICE_UNKNOWN: "DEVICE_UNKNOWN",
  DEVICE_SUSPENDED: "DEVICE_SUSPENDED",
  DEVICE_REVOKED: "DEVICE_REVOKED",
  NOT_BOUND_TO_BRIDGE: "NOT_BOUND_TO_BRIDGE",
  SEQ_REPLAY: "SEQ_REPLAY",
  HARD_VIOLATION: "HARD_VIOLATION",
} as const;
export type TxErrorCode = (typeof TxErrorCode)[keyof typeof TxErrorCode];
