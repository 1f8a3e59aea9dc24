import { ADDRESS_LENGTH } from "../crypto/address.js";
import { fromHex, isHex } from "../crypto/bytes.js";
import { HASH_LENGTH } from "../crypto/hash.js";
import { ApiErrorCode, apiError } from "./apiErrors.js";

// Parsing of path parameters and query flags; anything unparsable is the caller's BAD_REQUEST.

export function hexParam(name: string, value: string, length: number): Uint8Array {
  if (!isHex(value) || value.length !== 2 + 2 * length) {
    throw apiError(ApiErrorCode.BAD_REQUEST, `${name} must be 0x hex of ${length} bytes`, { param: name });
  }
  return fromHex(value);
}

export const hashParam = (name: string, value: string): Uint8Array => hexParam(name, value, HASH_LENGTH);
export const addressParam = (name: string, value: string): Uint8Array => hexParam(name, value, ADDRESS_LENGTH);

export type BlockId = { readonly height: number } | { readonly hash: Uint8Array } | { readonly latest: true };

/** A block is named by its decimal height, its 0x hash, or `latest`. */
export function blockIdParam(value: string): BlockId {
  if (value === "latest") return { latest: true };
  if (/^(0|[1-9][0-9]{0,15})$/.test(value)) {
    const height = Number(value);
    if (Number.isSafeInteger(height)) return { height };
  }
  if (value.startsWith("0x")) return { hash: hashParam("block", value) };
  throw apiError(ApiErrorCode.BAD_REQUEST, "block must be a decimal height, a 0x hash or latest", { param: "block" });
}

/** A boolean query flag: `1`/`true` on, absent/`0`/`false` off. */
export function flagParam(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === "0" || value === "false") return false;
  if (value === "" || value === "1" || value === "true") return true;
  throw apiError(ApiErrorCode.BAD_REQUEST, `${name} must be 1 or 0`, { param: name });
}
