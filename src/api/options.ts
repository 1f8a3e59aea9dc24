export interface ApiOptions {
  /** Interface to bind; 127.0.0.1 keeps the API local unless an operator opens it on purpose. */
  readonly host: string;
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
  /** Request bodies larger than this are refused with 413 before they are buffered whole. */
  readonly maxBodyBytes: number;
}

export const defaultApiOptions: ApiOptions = {
  host: "127.0.0.1",
  port: 7545,
  // A batch of 1,000 transfers is about 0.5 MB of JSON; the largest single transaction
  // (MAX_TX_BYTES_ABSOLUTE, 1 MiB) is 2 MiB as hex.
  maxBodyBytes: 4 * 1024 * 1024,
};

/** Most transactions one `POST /v1/txs` batch may carry. */
export const MAX_BATCH_TXS = 1_000;
