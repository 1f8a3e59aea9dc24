/** Chain parameters, fixed by genesis. */
export interface ChainParams {
  /** At most one block per period, in ms. */
  readonly blockPeriodMs: number;
  /** An empty heartbeat block after this long idle, in ms. */
  readonly heartbeatMs: number;
  readonly feePerByte: bigint;
  readonly maxBlockBytes: number;
  readonly maxBlockTxs: number;
  readonly maxTxBytes: number;
}

export const defaultChainParams: ChainParams = {
  blockPeriodMs: 1_000,
  heartbeatMs: 30_000,
  feePerByte: 1n,
  maxBlockBytes: 8 * 1024 * 1024,
  maxBlockTxs: 20_000,
  maxTxBytes: 64 * 1024,
};
