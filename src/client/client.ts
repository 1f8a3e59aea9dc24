import { toHex } from "../crypto/bytes.js";
import type { KeyPair } from "../crypto/keys.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { ApiError, ClientErrorCode } from "./apiError.js";
import { addressBytes, buildTransaction, TRANSFER_KIND, transferArgs } from "./buildTransaction.js";
import { requestJson, type HttpRequest } from "./http.js";
import { parseAccount, parseBlock, parseStatus, parseTxStatus, type BlockWire } from "./parse.js";
import type { AccountInfo, BlockInfo, ChainStatus, SubmitResult, TxStatus } from "./types.js";

export interface ClientOptions {
  /** Base URL of a node's API; default `http://127.0.0.1:7545`. */
  readonly url?: string;
  /** Per-request timeout; default 10 s. */
  readonly timeoutMs?: number;
}

export interface WaitOptions {
  /** `included` (the default) also resolves on `final`. */
  readonly until?: "included" | "final";
  /** Default 60 s. */
  readonly timeoutMs?: number;
  /** Default 250 ms. */
  readonly pollMs?: number;
}

export interface TransferOptions {
  /** Default: the minimum fee. */
  readonly fee?: bigint;
  /** Default: the account's pending nonce. */
  readonly nonce?: number;
  /** Default 0 (never expires). */
  readonly expiry?: number;
  /** Wait for the transaction: `true` means until included. */
  readonly wait?: boolean | "included" | "final";
}

export interface TransferResult {
  readonly hash: string;
  readonly tx: SignedTransaction;
  /** When `wait` was set. */
  readonly status?: TxStatus;
}

/** Most transactions per batch request; longer batches are sent in chunks of this size, in order. */
export const MAX_BATCH_TXS = 1_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const hexOf = (value: Uint8Array | string): string => (typeof value === "string" ? value : toHex(value));
const bytesOf = (tx: SignedTransaction | Uint8Array): Uint8Array => (tx instanceof Uint8Array ? tx : tx.bytes);

/** A client of one node's HTTP API. */
export class AttestaClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private chain: Promise<{ chainId: string; feePerByte: bigint }> | undefined;

  constructor(opts: ClientOptions = {}) {
    this.url = (opts.url ?? "http://127.0.0.1:7545").replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private request<T>(req: HttpRequest): Promise<T> {
    return requestJson<T>(this.url, this.timeoutMs, req);
  }

  async status(): Promise<ChainStatus> {
    return parseStatus(await this.request({ method: "GET", path: "/v1/status" }));
  }

  async account(address: Uint8Array | string): Promise<AccountInfo> {
    return parseAccount(await this.request({ method: "GET", path: `/v1/accounts/${toHex(addressBytes(address))}` }));
  }

  /** A block by height, 0x hash or `latest`; `txs: true` includes decoded transactions with receipts. */
  async block(heightOrHash: number | string | Uint8Array, opts: { txs?: boolean } = {}): Promise<BlockInfo> {
    const id = heightOrHash instanceof Uint8Array ? toHex(heightOrHash) : String(heightOrHash);
    const query = opts.txs === true ? "?txs=1" : "";
    return parseBlock(await this.request<BlockWire>({ method: "GET", path: `/v1/blocks/${encodeURIComponent(id)}${query}` }));
  }

  /** Submits one signed transaction; resolves with its hash once the node admitted it. */
  async submit(tx: SignedTransaction | Uint8Array): Promise<string> {
    const { hash } = await this.request<{ hash: string }>({ method: "POST", path: "/v1/txs", bytes: bytesOf(tx) });
    return hash;
  }

  /** Submits transactions in order; one result (hash or error) per transaction. */
  async submitBatch(txs: readonly (SignedTransaction | Uint8Array)[]): Promise<SubmitResult[]> {
    const results: SubmitResult[] = [];
    for (let i = 0; i < txs.length; i += MAX_BATCH_TXS) {
      const chunk = txs.slice(i, i + MAX_BATCH_TXS).map((tx) => toHex(bytesOf(tx)));
      const answer = await this.request<{ results: SubmitResult[] }>({ method: "POST", path: "/v1/txs", json: { txs: chunk } });
      results.push(...answer.results);
    }
    return results;
  }

  /** The status of a transaction; throws ApiError NOT_FOUND when the node never saw it. */
  async txStatus(hash: Uint8Array | string): Promise<TxStatus> {
    return parseTxStatus(await this.request({ method: "GET", path: `/v1/txs/${hexOf(hash)}` }));
  }

  /**
   * Polls until the transaction is included (or final). Resolves with its status, whose
   * receipt may say `failed`; rejects with an ApiError carrying the node's code when the
   * transaction was rejected, and with TIMEOUT when `timeoutMs` passes. A hash the node does
   * not know (yet) is polled again.
   */
  async waitForTx(hash: Uint8Array | string, opts: WaitOptions = {}): Promise<TxStatus> {
    const until = opts.until ?? "included";
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const pollMs = opts.pollMs ?? 250;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let status: TxStatus | undefined;
      try {
        status = await this.txStatus(hash);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === "NOT_FOUND")) throw err;
      }
      if (status?.status === "rejected") {
        const code = status.code ?? "REJECTED";
        throw new ApiError(code, `transaction ${hexOf(hash)} was rejected: ${code}`, { details: { hash: hexOf(hash) } });
      }
      if (status?.status === "final" || (status?.status === "included" && until === "included")) return status;
      if (Date.now() + pollMs > deadline) {
        throw new ApiError(ClientErrorCode.TIMEOUT, `transaction ${hexOf(hash)} not ${until} within ${timeoutMs} ms`, {
          details: { hash: hexOf(hash), timeoutMs, lastStatus: status?.status ?? "unknown" },
        });
      }
      await sleep(pollMs);
    }
  }

  /** Chain id and fee rate, fetched once per client. */
  async chainParams(): Promise<{ chainId: string; feePerByte: bigint }> {
    this.chain ??= this.status().then(
      (s) => ({ chainId: s.chainId, feePerByte: s.params.feePerByte }),
      (err: unknown) => {
        this.chain = undefined;
        throw err;
      },
    );
    return this.chain;
  }

  /** Builds, signs and submits `accounts.transfer` of `amount` from `key`'s account to `to`. */
  async transfer(key: KeyPair, to: Uint8Array | string, amount: bigint, opts: TransferOptions = {}): Promise<TransferResult> {
    const args = transferArgs(to, amount);
    const { chainId, feePerByte } = await this.chainParams();
    const nonce = opts.nonce ?? (await this.account(key.address)).pendingNonce;
    const tx = buildTransaction({ chainId, kind: TRANSFER_KIND, args, key, nonce, feePerByte, fee: opts.fee, expiry: opts.expiry });
    const hash = await this.submit(tx);
    if (opts.wait === undefined || opts.wait === false) return { hash, tx };
    const status = await this.waitForTx(hash, { until: opts.wait === "final" ? "final" : "included" });
    return { hash, tx, status };
  }
}
