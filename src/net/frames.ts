import type { Libp2p, PeerId, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import { decode, encode, type Encodable } from "../ledger/codec.js";
import { NetLimits } from "./protocols.js";

// Request/response over a libp2p stream: the client writes one length-prefixed frame (the
// request, canonical msgpack), the server answers with one frame, `[0, result]` or
// `[1, code]`, and closes. Both sides cap frame sizes and give up after a timeout.

export const NetErrorCode = {
  /** The peer sent bytes that do not decode, or a request out of range. */
  BAD_REQUEST: "BAD_REQUEST",
  /** The peer asked too often. */
  RATE_LIMITED: "RATE_LIMITED",
  /** The peer has no such item. */
  NOT_FOUND: "NOT_FOUND",
  /** The peer answered with an error or malformed frame. */
  BAD_RESPONSE: "BAD_RESPONSE",
  /** The peer did not answer in time. */
  TIMEOUT: "TIMEOUT",
  /** The peer speaks another chain (status handshake). */
  WRONG_CHAIN: "WRONG_CHAIN",
  /** The peer does not speak the protocol. */
  UNSUPPORTED_PROTOCOL: "UNSUPPORTED_PROTOCOL",
} as const;
export type NetErrorCode = (typeof NetErrorCode)[keyof typeof NetErrorCode];

/** A failed request, with the code the peer (or this side) gave. */
export class NetError extends Error {
  constructor(readonly code: NetErrorCode | string, message: string) {
    super(message);
    this.name = "NetError";
  }
}

export const REQUEST_TIMEOUT_MS = 10_000;

export interface RequestOptions {
  readonly maxResponseBytes?: number;
  readonly timeoutMs?: number;
}

/** Sends one request to `peer` on `protocol` and returns the decoded result; throws NetError. */
export async function request(libp2p: Libp2p, peer: PeerId, protocol: string, body: Encodable, opts: RequestOptions = {}): Promise<Encodable> {
  const signal = AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS);
  let stream: Stream | undefined;
  try {
    stream = await libp2p.dialProtocol(peer, protocol, { signal });
    const lp = lpStream(stream, { maxDataLength: opts.maxResponseBytes ?? NetLimits.maxResponseBytes });
    await lp.write(encode(body), { signal });
    const frame = await lp.read({ signal });
    await stream.close({ signal }).catch(() => undefined);
    return readResponse(frame.subarray());
  } catch (err) {
    stream?.abort(err as Error);
    if (err instanceof NetError) throw err;
    if (signal.aborted) throw new NetError(NetErrorCode.TIMEOUT, `${protocol}: no answer in time`);
    if ((err as Error).name === "UnsupportedProtocolError") throw new NetError(NetErrorCode.UNSUPPORTED_PROTOCOL, `${protocol}: not supported by the peer`);
    throw new NetError(NetErrorCode.BAD_RESPONSE, `${protocol}: ${(err as Error).message}`);
  }
}

function readResponse(bytes: Uint8Array): Encodable {
  let value: Encodable;
  try {
    value = decode(bytes);
  } catch {
    throw new NetError(NetErrorCode.BAD_RESPONSE, "response does not decode");
  }
  if (!Array.isArray(value) || value.length !== 2) throw new NetError(NetErrorCode.BAD_RESPONSE, "response is not a frame");
  const [status, result] = value as [Encodable, Encodable];
  if (status === 0) return result;
  throw new NetError(typeof result === "string" ? result : NetErrorCode.BAD_RESPONSE, `peer answered ${String(result)}`);
}

/** A request handler: the decoded request in, the result out; throws NetError for a coded refusal. */
export type RequestHandler = (body: Encodable, peer: PeerId) => Promise<Encodable>;

/**
 * Serves one request on `stream`: reads a frame no larger than `maxRequestBytes`, answers, and
 * closes. Returns the refusal code when the peer's request was at fault (for its score).
 */
export async function serve(stream: Stream, peer: PeerId, handler: RequestHandler, maxRequestBytes: number = NetLimits.maxRequestBytes): Promise<NetErrorCode | undefined> {
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const lp = lpStream(stream, { maxDataLength: maxRequestBytes });
  let refused: NetErrorCode | undefined;
  try {
    let body: Encodable;
    try {
      body = decode((await lp.read({ signal })).subarray());
    } catch (err) {
      if (signal.aborted) throw err;
      refused = NetErrorCode.BAD_REQUEST;
      await lp.write(encode([1, NetErrorCode.BAD_REQUEST]), { signal });
      return refused;
    }
    let response: Encodable;
    try {
      response = [0, await handler(body, peer)];
    } catch (err) {
      const code = err instanceof NetError ? err.code : NetErrorCode.BAD_REQUEST;
      if (code === NetErrorCode.BAD_REQUEST || code === NetErrorCode.RATE_LIMITED) refused = code;
      response = [1, code];
    }
    await lp.write(encode(response), { signal });
    await stream.close({ signal });
  } catch (err) {
    stream.abort(err as Error);
  }
  return refused;
}
