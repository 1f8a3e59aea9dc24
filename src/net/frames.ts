import type { Libp2p, PeerId, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import { isAttestaError } from "../errors.js";
import { CodecErrorCode, decode, encode, type Encodable } from "../ledger/codec.js";
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
  /** The serving node failed on its side (a closing database, a bug): not the asking peer's fault. */
  INTERNAL: "INTERNAL",
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

/**
 * A request handler: the decoded request in, the result out. It throws NetError for a coded
 * refusal; a codec error (MALFORMED, NON_CANONICAL, from reading the request's fields) is the
 * peer's BAD_REQUEST; anything else is our own INTERNAL failure, never held against the peer.
 */
export type RequestHandler = (body: Encodable, peer: PeerId) => Promise<Encodable>;

/** The code a handler's failure is answered with. */
function refusalCode(err: unknown): NetErrorCode | string {
  if (err instanceof NetError) return err.code;
  if (isAttestaError(err) && (err.code === CodecErrorCode.MALFORMED || err.code === CodecErrorCode.NON_CANONICAL)) return NetErrorCode.BAD_REQUEST;
  return NetErrorCode.INTERNAL;
}

/**
 * Serves one request on `stream`: reads a frame no larger than `maxRequestBytes`, answers, and
 * closes. Returns the refusal code when the peer's request was at fault (for its score).
 */
export async function serve(stream: Stream, peer: PeerId, handler: RequestHandler, maxRequestBytes: number = NetLimits.maxRequestBytes): Promise<NetErrorCode | undefined> {
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const lp = lpStream(stream, { maxDataLength: maxRequestBytes });
  let code: NetErrorCode | string | undefined;
  try {
    let response: Encodable;
    try {
      // Past the size cap, or bytes that do not decode: the peer's fault as well.
      const body = await lp.read({ signal }).then((frame) => decode(frame.subarray()), (err: unknown) => {
        if (signal.aborted) throw err;
        throw new NetError(NetErrorCode.BAD_REQUEST, "unreadable request");
      });
      response = [0, await handler(body, peer)];
    } catch (err) {
      if (signal.aborted) throw err;
      code = refusalCode(err);
      response = [1, code];
    }
    await lp.write(encode(response), { signal });
    await stream.close({ signal });
  } catch (err) {
    stream.abort(err as Error);
  }
  return code === NetErrorCode.BAD_REQUEST || code === NetErrorCode.RATE_LIMITED ? code : undefined;
}
