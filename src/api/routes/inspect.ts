import { fromHex, isHex } from "../../crypto/bytes.js";
import type { InspectRequest } from "../../node/types.js";
import { ApiErrorCode, apiError } from "../apiErrors.js";
import { mediaTypeOf, parseJsonBody, readBody } from "../body.js";
import type { Route, RouteContext, Reply } from "../router.js";
import { verdictJson } from "../views.js";
import type { RouteDeps } from "./deps.js";

const MSGPACK_TYPES = new Set(["application/msgpack", "application/x-msgpack", "application/octet-stream"]);
const BODY_SHAPE = 'body must be { "tx": "0x…" } or { "deviceId", "values": { name: number }, "ts"? }';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The request of a JSON body: a signed transaction, or a bare reading. */
function inspectRequestOf(body: unknown): InspectRequest {
  if (!isObject(body)) throw apiError(ApiErrorCode.BAD_REQUEST, BODY_SHAPE);
  if ("tx" in body) {
    if (!isHex(body.tx)) throw apiError(ApiErrorCode.BAD_REQUEST, "tx must be 0x hex", { field: "tx" });
    return { tx: fromHex(body.tx) };
  }
  const { deviceId, values, ts } = body;
  if (typeof deviceId !== "string") throw apiError(ApiErrorCode.BAD_REQUEST, "deviceId must be a string", { field: "deviceId" });
  if (!isObject(values) || !Object.values(values).every((v) => typeof v === "number")) {
    throw apiError(ApiErrorCode.BAD_REQUEST, "values must map metric names to numbers", { field: "values" });
  }
  if (ts !== undefined && (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0)) {
    throw apiError(ApiErrorCode.BAD_REQUEST, "ts must be a time in ms", { field: "ts" });
  }
  const reading = { deviceId, values: values as Record<string, number> };
  return { reading: ts === undefined ? reading : { ...reading, ts } };
}

/**
 * `POST /v1/inspect`: the inspection pipeline without admission. For a signed transaction
 * (`{ "tx": "0x…" }` or raw msgpack bytes) every stage runs and nothing enters the mempool;
 * for a bare reading `{ "deviceId", "values": { name: number }, "ts"? }` (ts defaults to now)
 * the readings contract's checks run against the device's profile in force and its reading
 * state, with no signature. 200 with the verdict: `{ hash?, verdict, code?, stage?, message?,
 * details?, findings?, readings? }`, whatever it is (a `reject` is an answer, not an error).
 */
export function inspectRoutes({ node, maxBodyBytes }: Pick<RouteDeps, "node" | "maxBodyBytes">): Route[] {
  const inspect = async ({ req }: RouteContext): Promise<Reply> => {
    if (node.inspect === undefined) throw apiError(ApiErrorCode.NOT_FOUND, "this node does not inspect");
    const type = mediaTypeOf(req);
    let request: InspectRequest;
    if (MSGPACK_TYPES.has(type)) request = { tx: await readBody(req, maxBodyBytes) };
    else if (type === "application/json") request = inspectRequestOf(parseJsonBody(await readBody(req, maxBodyBytes)));
    else throw apiError(ApiErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json or application/msgpack", { contentType: type });
    const { verdict, hash } = await node.inspect(request);
    return { status: 200, json: verdictJson(verdict, hash) };
  };
  return [{ method: "POST", template: "/v1/inspect", handler: inspect }];
}
