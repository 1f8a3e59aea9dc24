import { toHex } from "../crypto/bytes.js";

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/**
 * Renders any value the ledger produces as JSON: bytes as 0x hex, bigints as decimal strings,
 * arrays stay arrays, plain objects keep their keys. Used for tx args, event attributes and
 * error details, whose shapes are open.
 */
export function jsonValue(value: unknown, depth = 0): Json {
  if (depth > 32) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "undefined":
      return null;
    case "object": {
      if (value === null) return null;
      if (value instanceof Uint8Array) return toHex(value);
      if (Array.isArray(value)) return value.map((item) => jsonValue(item, depth + 1));
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(value)) out[k] = jsonValue(v, depth + 1);
      return out;
    }
    default:
      return String(value);
  }
}
