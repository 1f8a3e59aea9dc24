import type { IncomingMessage } from "node:http";
import { asBytes } from "../crypto/bytes.js";
import { ApiErrorCode, apiError } from "./apiErrors.js";

/** The media type of a request, lower-case and without parameters ("" when absent). */
export function mediaTypeOf(req: IncomingMessage): string {
  const header = req.headers["content-type"] ?? "";
  return (header.split(";")[0] ?? "").trim().toLowerCase();
}

function tooLarge(maxBytes: number, size?: number) {
  return apiError(ApiErrorCode.PAYLOAD_TOO_LARGE, "request body too large", size === undefined ? { maxBytes } : { maxBytes, size });
}

/**
 * Reads a request body of at most `maxBytes`. A declared Content-Length over the limit is
 * refused before reading anything; a body that grows past it while streaming is dropped at
 * that point (the server then closes the connection rather than draining the rest).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes, declared));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(asBytes(Buffer.concat(chunks, size)));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onAborted = (): void => {
      cleanup();
      reject(apiError(ApiErrorCode.BAD_REQUEST, "request aborted"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

/** Parses a JSON body; a syntax error is the caller's BAD_REQUEST. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    throw apiError(ApiErrorCode.BAD_REQUEST, "body is not valid JSON");
  }
}
