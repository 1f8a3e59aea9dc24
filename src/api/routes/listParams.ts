import { isDeviceId } from "../../contracts/modules/devices/index.js";
import { PROFILE_ID_RE } from "../../contracts/modules/profiles/index.js";
import { ApiErrorCode, apiError } from "../apiErrors.js";
import { addressParam } from "../params.js";

// Query and path parameters of the attestation routes; anything unparsable is BAD_REQUEST.

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1_000;

function badRequest(name: string, expected: string, extra: Record<string, unknown> = {}): never {
  throw apiError(ApiErrorCode.BAD_REQUEST, `${name} must be ${expected}`, { param: name, ...extra });
}

/** An optional decimal integer query parameter, at least `min`. */
export function uintQuery(query: URLSearchParams, name: string, min = 0): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const n = Number(value);
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(n) || n < min) badRequest(name, `an integer of at least ${min}`);
  return n;
}

/** `limit`: 1 to MAX_LIMIT, DEFAULT_LIMIT when absent. */
export function limitQuery(query: URLSearchParams): number {
  const limit = uintQuery(query, "limit", 1) ?? DEFAULT_LIMIT;
  if (limit > MAX_LIMIT) badRequest("limit", `at most ${MAX_LIMIT}`, { max: MAX_LIMIT });
  return limit;
}

/** A required 0x address query parameter. */
export function addressQuery(query: URLSearchParams, name: string): Uint8Array {
  const value = query.get(name);
  if (value === null) badRequest(name, "given (a 0x address)");
  return addressParam(name, value);
}

/** A device id in a path: 1-64 characters of [a-z0-9._:-]. */
export function deviceIdParam(value: string | undefined): string {
  if (!isDeviceId(value)) badRequest("device", "1-64 characters of [a-z0-9._:-]");
  return value;
}

/** A profile id in a path: 1-64 characters of [a-z0-9._:-]. */
export function profileIdParam(value: string | undefined): string {
  if (value === undefined || !PROFILE_ID_RE.test(value)) badRequest("profile", "1-64 characters of [a-z0-9._:-]");
  return value;
}
