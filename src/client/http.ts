import { ApiError, ClientErrorCode } from "./apiError.js";

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly json?: unknown;
  readonly bytes?: Uint8Array;
}

function isErrorBody(value: unknown): value is { error: { code: string; message?: string; details?: Record<string, unknown> } } {
  const error = (value as { error?: { code?: unknown } } | null)?.error;
  return typeof error === "object" && error !== null && typeof error.code === "string";
}

/** JSON over node's global fetch, with a timeout per request; every failure is an ApiError. */
export async function requestJson<T>(baseUrl: string, timeoutMs: number, req: HttpRequest): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  let body: string | Uint8Array | undefined;
  if (req.bytes !== undefined) {
    headers["content-type"] = "application/msgpack";
    body = req.bytes;
  } else if (req.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(req.json);
  }
  let res: Response;
  let text: string;
  try {
    res = await fetch(baseUrl + req.path, { method: req.method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (err) {
    const name = (err as Error).name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new ApiError(ClientErrorCode.TIMEOUT, `no answer from ${baseUrl} within ${timeoutMs} ms`, { details: { timeoutMs } });
    }
    const cause = (err as { cause?: { code?: unknown } }).cause;
    throw new ApiError(ClientErrorCode.UNREACHABLE, `cannot reach ${baseUrl}`, {
      details: { url: baseUrl, ...(typeof cause?.code === "string" ? { cause: cause.code } : {}) },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, `answer from ${baseUrl} is not JSON`, { status: res.status });
  }
  if (!res.ok) {
    if (isErrorBody(parsed)) {
      const { code, message, details } = parsed.error;
      throw new ApiError(code, message ?? code, { status: res.status, details: details ?? {} });
    }
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, `HTTP ${res.status} without an error body`, { status: res.status });
  }
  return parsed as T;
}
