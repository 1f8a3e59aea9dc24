import { fromHex, isHex } from "../../crypto/bytes.js";
import { ApiErrorCode, apiError, errorJson, type ErrorJson } from "../apiErrors.js";
import { mediaTypeOf, parseJsonBody, readBody } from "../body.js";
import { MAX_BATCH_TXS } from "../options.js";
import { hashParam } from "../params.js";
import type { Route, RouteContext, Reply } from "../router.js";
import { txStatusJson, verdictJson } from "../views.js";
import type { RouteDeps } from "./deps.js";

const MSGPACK_TYPES = new Set(["application/msgpack", "application/x-msgpack", "application/octet-stream"]);

function txHex(value: unknown, field: string): Uint8Array {
  if (!isHex(value)) throw apiError(ApiErrorCode.BAD_REQUEST, `${field} must be 0x hex`, { field });
  return fromHex(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type ItemJson = ReturnType<typeof verdictJson> | { error: ErrorJson };

/**
 * `POST /v1/txs`: one transaction as `{ "tx": "0x…" }` or raw msgpack bytes, answered with its
 * inspection verdict: 202 `{ hash, verdict: "accept" | "flag", findings?, readings? }`, or the
 * 4xx error of a `reject` (its code; a batch of readings that all fail lists each in details).
 * A batch `{ "txs": [...] }` gets 200 `{ results }`, one verdict or error per item, in order.
 * A batch is admitted in order, so consecutive nonces of one sender succeed, with its
 * signatures verified in parallel on the node's verification pool.
 */
export function txRoutes({ node, metrics, logger, maxBodyBytes }: RouteDeps): Route[] {
  const submitOne = async (bytes: Uint8Array): Promise<Reply> => {
    const { hash, verdict } = await node.submitTx(bytes);
    return { status: 202, json: verdictJson(verdict, hash) };
  };

  const failed = (err: unknown): { error: ErrorJson } => {
    const error = errorJson(err);
    metrics.countError(error.code);
    return { error };
  };

  /** A batch: items that are not hex fail alone; the rest are admitted together, in order. */
  const submitBatch = async (items: readonly unknown[]): Promise<ItemJson[]> => {
    const results: Array<ItemJson | undefined> = items.map((item, i) =>
      isHex(item) ? undefined : failed(apiError(ApiErrorCode.BAD_REQUEST, `txs[${i}] must be 0x hex`, { field: `txs[${i}]` })),
    );
    const hexItems = items.filter((item): item is string => isHex(item));
    let admitted;
    try {
      admitted = await node.submitTxs(hexItems.map((item) => fromHex(item)));
    } catch (err) {
      logger.error({ err }, "batch admission failed unexpectedly");
      throw err;
    }
    let next = 0;
    return results.map((r) => {
      if (r !== undefined) return r;
      const a = admitted[next++];
      return a === undefined ? failed(new Error("missing admission result")) : "error" in a ? failed(a.error) : verdictJson(a.verdict, a.hash);
    });
  };

  const submit = async ({ req }: RouteContext): Promise<Reply> => {
    const type = mediaTypeOf(req);
    if (MSGPACK_TYPES.has(type)) return submitOne(await readBody(req, maxBodyBytes));
    if (type !== "application/json") {
      throw apiError(ApiErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json or application/msgpack", { contentType: type });
    }
    const body = parseJsonBody(await readBody(req, maxBodyBytes));
    if (isObject(body) && "tx" in body && !("txs" in body)) return submitOne(txHex(body.tx, "tx"));
    if (isObject(body) && Array.isArray(body.txs) && !("tx" in body)) {
      const items: unknown[] = body.txs;
      if (items.length > MAX_BATCH_TXS) {
        throw apiError(ApiErrorCode.PAYLOAD_TOO_LARGE, "too many transactions in one batch", { maxTxs: MAX_BATCH_TXS, count: items.length });
      }
      return { status: 200, json: { results: await submitBatch(items) } };
    }
    throw apiError(ApiErrorCode.BAD_REQUEST, 'body must be { "tx": "0x…" } or { "txs": ["0x…", …] }');
  };

  return [
    { method: "POST", template: "/v1/txs", handler: submit },
    {
      method: "GET",
      template: "/v1/txs/:hash",
      handler: async ({ params }) => {
        const hash = hashParam("hash", params.hash ?? "");
        const view = await node.txStatus(hash);
        if (view === undefined) throw apiError(ApiErrorCode.NOT_FOUND, "unknown transaction", { hash: params.hash });
        return { status: 200, json: txStatusJson(hash, view) };
      },
    },
  ];
}
