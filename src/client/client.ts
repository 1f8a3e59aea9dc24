import { toHex } from "../crypto/bytes.js";
import type { KeyPair } from "../crypto/keys.js";
import type { Encodable } from "../ledger/codec.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { ApiError, ClientErrorCode } from "./apiError.js";
import { checkId } from "./argChecks.js";
import { addressBytes, buildTransaction, transferArgs } from "./buildTransaction.js";
import { requestJson, type HttpRequest } from "./http.js";
import type { DeviceIntegrityAnswer } from "./integrity.js";
import { parseAccount, parseBlock, parseDevice, parseOffer, parseStatus, parseTxStatus, type BlockWire } from "./parse.js";
import { batchArgs, readingArgs, type Reading, type ReadingTuple, type ReadingValuesInput } from "./readingArgs.js";
import { DEVICE_SIGNED_KINDS, TxKind } from "./txKinds.js";
import type {
  AccountInfo,
  AdmittedInfo,
  FindingInfo,
  VerdictInfo,
  VerdictKind,
  AnomalyInfo,
  BlockInfo,
  ChainStatus,
  DeviceInfo,
  LicenceInfo,
  OfferInfo,
  ProfileInfo,
  ReadingInfo,
  SubmitResult,
  TxStatus,
  ValidatorsInfo,
} from "./types.js";

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
  /** Default: the signer's pending nonce. */
  readonly nonce?: number;
  /** Default 0 (never expires). */
  readonly expiry?: number;
  /** Wait for the transaction: `true` means until included. */
  readonly wait?: boolean | "included" | "final";
}

export interface SendOptions extends TransferOptions {
  /**
   * For a kind signed by a device (`readings.submit`, `readings.batch`): the id of the signing
   * device, whose pending nonce the transaction takes. `readings.submit` defaults to its own
   * deviceId argument; `readings.batch` needs the bridge's id here (or an explicit `nonce`).
   */
  readonly device?: string;
}

export interface SendResult {
  readonly hash: string;
  readonly tx: SignedTransaction;
  /** The node's verdict at admission: `accept`, or `flag` with the findings (a `reject` throws). */
  readonly verdict?: VerdictKind;
  readonly findings?: readonly FindingInfo[];
  /** When `wait` was set. */
  readonly status?: TxStatus;
}

export type TransferResult = SendResult;

/** A reading to send; `seq` and `ts` default to the device's next ones. */
export interface ReadingInput {
  readonly deviceId: string;
  readonly values: ReadingValuesInput;
  /** Default: the last accepted seq + 1, counting the device's readings still pending. */
  readonly seq?: number;
  /** Default: now (never before the device's last reading). */
  readonly ts?: number;
}

export interface ReadingResult extends SendResult {
  /** The `readings.submit` tuple sent. */
  readonly reading: ReadingTuple;
}

/** A page of a list: `limit` defaults to 100 on the node (at most 1,000). */
export interface PageOptions {
  readonly limit?: number;
}

/** Most transactions per batch request; longer batches are sent in chunks of this size, in order. */
export const MAX_BATCH_TXS = 1_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const hexOf = (value: Uint8Array | string): string => (typeof value === "string" ? value : toHex(value));
const bytesOf = (tx: SignedTransaction | Uint8Array): Uint8Array => (tx instanceof Uint8Array ? tx : tx.bytes);
const segment = (id: string): string => encodeURIComponent(id);

/** `?a=1&b=2` of the defined entries ("" when none). */
function queryString(params: Readonly<Record<string, string | number | undefined>>): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) q.set(name, String(value));
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
}

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
    return (await this.submitWithVerdict(tx)).hash;
  }

  /**
   * Submits one signed transaction; resolves with its hash and verdict (`accept`, or `flag`
   * with the findings) once admitted; rejects with an ApiError carrying the code otherwise.
   */
  async submitWithVerdict(tx: SignedTransaction | Uint8Array): Promise<AdmittedInfo> {
    return this.request<AdmittedInfo>({ method: "POST", path: "/v1/txs", bytes: bytesOf(tx) });
  }

  /**
   * Would it pass? The node's verdict without admission, for a signed transaction (every stage
   * runs, nothing enters the mempool) or a bare reading checked against its device's profile
   * in force and reading state (no signature; `ts` defaults to now on the node). A `reject`
   * is a verdict here, not an error.
   */
  async inspect(what: SignedTransaction | Uint8Array | { readonly deviceId: string; readonly values: ReadingValuesInput; readonly ts?: number }): Promise<VerdictInfo> {
    if (what instanceof Uint8Array || "bytes" in what) return this.request<VerdictInfo>({ method: "POST", path: "/v1/inspect", bytes: bytesOf(what) });
    const values = Array.isArray(what.values) ? Object.fromEntries(what.values as ReadonlyArray<readonly [string, number]>) : what.values;
    const json = { deviceId: what.deviceId, values, ...(what.ts !== undefined ? { ts: what.ts } : {}) };
    return this.request<VerdictInfo>({ method: "POST", path: "/v1/inspect", json });
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
    return this.send(key, TxKind.TRANSFER, transferArgs(to, amount), opts);
  }

  /**
   * Builds, signs and submits a transaction of any kind with `args` (from the builders:
   * `registerDeviceArgs`, `readingArgs`, ...). Without `nonce`, takes the signer's pending
   * nonce: the account's, or for a device-signed kind the device's (see `SendOptions.device`).
   */
  async send(key: KeyPair, kind: string, args: readonly Encodable[], opts: SendOptions = {}): Promise<SendResult> {
    const { chainId, feePerByte } = await this.chainParams();
    const nonce = opts.nonce ?? (await this.pendingNonce(key, kind, args, opts.device));
    const tx = buildTransaction({ chainId, kind, args, key, nonce, feePerByte, fee: opts.fee, expiry: opts.expiry });
    const { hash, verdict, findings } = await this.submitWithVerdict(tx);
    const admitted = { hash, tx, verdict, ...(findings !== undefined ? { findings } : {}) };
    if (opts.wait === undefined || opts.wait === false) return admitted;
    const status = await this.waitForTx(hash, { until: opts.wait === "final" ? "final" : "included" });
    return { ...admitted, status };
  }

  /** The nonce the signer's next transaction of `kind` takes. */
  private async pendingNonce(key: KeyPair, kind: string, args: readonly Encodable[], device: string | undefined): Promise<number> {
    if (!DEVICE_SIGNED_KINDS.has(kind)) return (await this.account(key.address)).pendingNonce;
    const id = device ?? (kind === TxKind.SUBMIT_READING && typeof args[0] === "string" ? args[0] : undefined);
    if (id === undefined) throw new TypeError(`${kind} is signed by a device: pass opts.device (its id) or opts.nonce`);
    return (await this.device(id)).pendingNonce;
  }

  /**
   * Sends one reading signed by the device's key (`readings.submit`); `seq`, `ts` and the
   * nonce default to the device's next ones, from one look-up of the device.
   */
  async sendReading(key: KeyPair, reading: ReadingInput, opts: TransferOptions = {}): Promise<ReadingResult> {
    let { seq, ts } = reading;
    let nonce = opts.nonce;
    if (seq === undefined || ts === undefined || nonce === undefined) {
      const device = await this.device(reading.deviceId);
      const pending = Math.max(0, device.pendingNonce - device.nonce);
      seq ??= (device.lastReading?.seq ?? 0) + 1 + pending;
      ts ??= Math.max(Date.now(), device.lastReading?.ts ?? 0);
      nonce ??= device.pendingNonce;
    }
    const args = readingArgs({ deviceId: reading.deviceId, seq, ts, values: reading.values });
    const result = await this.send(key, TxKind.SUBMIT_READING, args, { ...opts, nonce });
    return { ...result, reading: args };
  }

  /** Sends readings of devices bound to a bridge in one `readings.batch`, signed by the bridge's key. */
  async sendBatch(bridgeKey: KeyPair, bridgeId: string, readings: readonly Reading[], opts: TransferOptions = {}): Promise<SendResult> {
    return this.send(bridgeKey, TxKind.SUBMIT_BATCH, batchArgs(readings), { ...opts, device: checkId("bridgeId", bridgeId) });
  }

  /** A device's record, status, profile version, counters and last reading; ApiError NOT_FOUND if unknown. */
  async device(id: string): Promise<DeviceInfo> {
    return parseDevice(await this.request({ method: "GET", path: `/v1/devices/${segment(id)}` }));
  }

  /**
   * A device's record with its proof against the latest finalized header, to check with
   * `verifyIntegrity`; ApiError NOT_FOUND if unknown, NOT_FINALIZED while a block not yet final changes it.
   */
  async deviceIntegrity(id: string): Promise<DeviceIntegrityAnswer> {
    return this.request({ method: "GET", path: `/v1/devices/${segment(id)}/integrity` });
  }

  /** A device's accepted readings by ascending seq, from seq `from` on. */
  async deviceReadings(id: string, opts: PageOptions & { readonly from?: number } = {}): Promise<ReadingInfo[]> {
    const path = `/v1/devices/${segment(id)}/readings${queryString({ from: opts.from, limit: opts.limit })}`;
    return (await this.request<{ readings: ReadingInfo[] }>({ method: "GET", path })).readings;
  }

  /** A device's flagged readings, newest first. */
  async deviceAnomalies(id: string, opts: PageOptions = {}): Promise<AnomalyInfo[]> {
    const path = `/v1/devices/${segment(id)}/anomalies${queryString({ limit: opts.limit })}`;
    return (await this.request<{ anomalies: AnomalyInfo[] }>({ method: "GET", path })).anomalies;
  }

  /** Flagged readings across the chain by ascending height, from `fromHeight` on. */
  async anomalies(opts: PageOptions & { readonly fromHeight?: number } = {}): Promise<AnomalyInfo[]> {
    const path = `/v1/anomalies${queryString({ fromHeight: opts.fromHeight, limit: opts.limit })}`;
    return (await this.request<{ anomalies: AnomalyInfo[] }>({ method: "GET", path })).anomalies;
  }

  /** The newest version of a profile, or `version`; ApiError NOT_FOUND if unknown. */
  async profile(id: string, version?: number): Promise<ProfileInfo> {
    return this.request({ method: "GET", path: `/v1/profiles/${segment(id)}${queryString({ version })}` });
  }

  /** The validator set and the open votes on it. */
  async validators(): Promise<ValidatorsInfo> {
    return this.request({ method: "GET", path: "/v1/validators" });
  }

  /** Offers of data feeds by ascending id, from `from` on. */
  async marketOffers(opts: PageOptions & { readonly from?: number } = {}): Promise<OfferInfo[]> {
    const path = `/v1/market/offers${queryString({ from: opts.from, limit: opts.limit })}`;
    const { offers } = await this.request<{ offers: Parameters<typeof parseOffer>[0][] }>({ method: "GET", path });
    return offers.map(parseOffer);
  }

  /** The licences a buyer holds. */
  async licences(buyer: Uint8Array | string): Promise<LicenceInfo[]> {
    const path = `/v1/market/licences${queryString({ buyer: toHex(addressBytes(buyer, "buyer")) })}`;
    return (await this.request<{ licences: LicenceInfo[] }>({ method: "GET", path })).licences;
  }
}
