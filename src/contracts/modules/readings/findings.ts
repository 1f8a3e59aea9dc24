/**
 * What the readings contract finds in a reading. Soft findings flag the reading (it is
 * accepted and recorded as an anomaly); hard ones reject it. Stable codes.
 */
export const ReadingFinding = {
  OUT_OF_RANGE: "OUT_OF_RANGE",
  RATE_OF_CHANGE: "RATE_OF_CHANGE",
  TOO_FREQUENT: "TOO_FREQUENT",
  STUCK_VALUE: "STUCK_VALUE",
  DRIFT: "DRIFT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
} as const;
export type ReadingFinding = (typeof ReadingFinding)[keyof typeof ReadingFinding];

/** One finding: the code, the metric (empty for whole-reading findings), the value and the bound it crossed. */
export interface Finding {
  readonly code: ReadingFinding;
  readonly metric: string;
  readonly value: number;
  readonly bound: number;
}

/**
 * Every reading executed emits one receipt event of type `reading` with these attributes, in
 * this order (the node indexes them for the readings and anomalies queries):
 *   device (string), seq (uint), ts (uint, ms), status ("ok" | "failed"), code (string, "" when ok),
 *   profile (string), version (uint, 0 if none), values ([name, number][] sorted by name),
 *   findings ([code, metric, value, bound][]).
 */
export const READING_EVENT = "reading";

/**
 * Why the readings contract rejects one reading, beyond the admission codes it shares with
 * the mempool (TxErrorCode: DEVICE_UNKNOWN, DEVICE_SUSPENDED, DEVICE_REVOKED,
 * NOT_BOUND_TO_BRIDGE, SEQ_REPLAY, HARD_VIOLATION). Stable codes: never rename one.
 */
export const ReadingRejection = {
  /** `ts` is before the device's last accepted reading. */
  TS_OUT_OF_ORDER: "TS_OUT_OF_ORDER",
  /** `ts` is ahead of the block time by more than MAX_READING_SKEW_MS. */
  TS_IN_FUTURE: "TS_IN_FUTURE",
  /** The device's profile has no version in force at this height (published in this block, or never). */
  PROFILE_NOT_IN_FORCE: "PROFILE_NOT_IN_FORCE",
} as const;
export type ReadingRejection = (typeof ReadingRejection)[keyof typeof ReadingRejection];
