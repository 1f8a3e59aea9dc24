/**
 * Key prefixes of the database: one byte each, one repository per entity.
 * Retired prefixes are commented out, never reused.
 */
export const Prefix = {
  META: 0x01,
  BLOCK_BY_HEIGHT: 0x02,
  HEIGHT_BY_HASH: 0x03,
  RECEIPTS_BY_HEIGHT: 0x04,
  TX_LOCATION: 0x05,
  COMMIT_BY_HEIGHT: 0x06,
  STATE_VALUE: 0x07,
  TREE_NODE: 0x08,
  /** Accepted readings by device and seq (the node's readings index). */
  READINGS_BY_DEVICE: 0x09,
  /** Flagged readings by device, then height and position. */
  ANOMALIES_BY_DEVICE: 0x0a,
  /** Flagged readings by height and position. */
  ANOMALIES_BY_HEIGHT: 0x0b,
} as const;

/** Keys under Prefix.META. */
export const MetaKey = {
  HEAD_HEIGHT: 0x01,
  FINALIZED_HEIGHT: 0x02,
  GENESIS_HASH: 0x03,
} as const;
