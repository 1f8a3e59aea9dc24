import { AttestaError } from "../errors.js";

/** Failures on the client's side of the wire (no answer, or an answer that is not the API's). */
export const ClientErrorCode = {
  TIMEOUT: "TIMEOUT",
  UNREACHABLE: "UNREACHABLE",
  BAD_RESPONSE: "BAD_RESPONSE",
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/**
 * An error from the API (its stable `code`, the HTTP `status` and `details`), or from the
 * client itself (a ClientErrorCode, status 0). `waitForTx` throws one with the code the node
 * gave a rejected transaction (status 0 as well: the HTTP request itself succeeded).
 */
export class ApiError extends AttestaError {
  /** HTTP status of the answer; 0 when there was no error answer. */
  readonly status: number;

  constructor(code: string, message: string, opts: { status?: number; details?: Record<string, unknown> } = {}) {
    super(code, message, opts.details);
    this.name = "ApiError";
    this.status = opts.status ?? 0;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
