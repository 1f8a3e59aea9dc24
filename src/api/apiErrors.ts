import { AttestaError, isAttestaError } from "../errors.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import { IntegrityErrorCode } from "../node/types.js";

/** Errors of the HTTP layer itself (the request, not a transaction). Stable: never rename one. */
export const ApiErrorCode = {
  BAD_REQUEST: "BAD_REQUEST",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  INTERNAL: "INTERNAL",
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** HTTP status of each known code. An AttestaError with a code not listed here is a 400. */
export const HTTP_STATUS_OF_CODE: Readonly<Record<string, number>> = {
  [TxErrorCode.MALFORMED]: 400,
  [TxErrorCode.NON_CANONICAL]: 400,
  [TxErrorCode.WRONG_CHAIN]: 400,
  [TxErrorCode.EXPIRED]: 400,
  [TxErrorCode.BAD_SIGNATURE]: 400,
  [TxErrorCode.FEE_TOO_LOW]: 400,
  [TxErrorCode.UNKNOWN_METHOD]: 400,
  [TxErrorCode.TOO_LARGE]: 413,
  [TxErrorCode.NONCE_TOO_LOW]: 409,
  [TxErrorCode.DUPLICATE]: 409,
  [TxErrorCode.NONCE_TOO_HIGH]: 422,
  [TxErrorCode.INSUFFICIENT_FUNDS]: 422,
  [TxErrorCode.UNKNOWN_SENDER]: 422,
  [TxErrorCode.MEMPOOL_FULL]: 503,
  [TxErrorCode.REPLACEMENT_UNDERPRICED]: 409,
  [TxErrorCode.SEQ_REPLAY]: 409,
  [TxErrorCode.UNAUTHORISED]: 403,
  [TxErrorCode.DEVICE_UNKNOWN]: 422,
  [TxErrorCode.DEVICE_SUSPENDED]: 422,
  [TxErrorCode.DEVICE_REVOKED]: 422,
  [TxErrorCode.NOT_BOUND_TO_BRIDGE]: 422,
  [TxErrorCode.HARD_VIOLATION]: 422,
  [IntegrityErrorCode.NOT_FINALIZED]: 503,
  [ApiErrorCode.BAD_REQUEST]: 400,
  [ApiErrorCode.NOT_FOUND]: 404,
  [ApiErrorCode.METHOD_NOT_ALLOWED]: 405,
  [ApiErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ApiErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ApiErrorCode.INTERNAL]: 500,
};

export function httpStatusOf(code: string): number {
  return HTTP_STATUS_OF_CODE[code] ?? 400;
}

export interface ErrorJson {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** The `error` object of a response body. Anything that is not an AttestaError is INTERNAL, without its message. */
export function errorJson(err: unknown): ErrorJson {
  if (isAttestaError(err)) return { code: err.code, message: err.message, details: err.details ?? {} };
  return { code: ApiErrorCode.INTERNAL, message: "internal error", details: {} };
}

export function apiError(code: ApiErrorCode, message: string, details?: Record<string, unknown>): AttestaError<ApiErrorCode> {
  return new AttestaError(code, message, details);
}

const CODE_LABEL_RE = /^[A-Z][A-Z0-9_]{0,47}$/;

/** A metrics label for a code: codes come from closed enums, but a stray value never becomes a label. */
export function codeLabel(code: string): string {
  return CODE_LABEL_RE.test(code) ? code : "OTHER";
}
