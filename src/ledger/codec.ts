import { Packr, RESET_BUFFER_MODE, REUSE_BUFFER_MODE } from "msgpackr";
import { asBytes } from "../crypto/bytes.js";
import { AttestaError } from "../errors.js";

/**
 * The canonical encoding: msgpack of tuples (arrays) and primitives, never maps. Integers
 * that are amounts are bigint (always 9 bytes on the wire); counts and heights are safe
 * integers. Decoding re-encodes and rejects any input that is not byte-identical, so every
 * value has exactly one encoding and nothing hashed or signed is malleable.
 */
export type Encodable = null | boolean | number | bigint | string | Uint8Array | readonly Encodable[];

export const CodecErrorCode = {
  MALFORMED: "MALFORMED",
  NON_CANONICAL: "NON_CANONICAL",
} as const;
export type CodecErrorCode = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];

const packr = new Packr({ useRecords: false, int64AsType: "bigint", mapsAsObjects: false, moreTypes: false });

const U64_MAX = (1n << 64n) - 1n;
const MAX_DEPTH = 16;

// msgpackr writes a NaN's bits as they are, and they differ by how and where it was computed
// (0/0 is 0x7ff8... on ARM, 0xfff8... on x86): every NaN is written as this one.
const CANONICAL_NAN = new DataView(Uint8Array.of(0x7f, 0xf8, 0, 0, 0, 0, 0, 0).buffer).getFloat64(0);

function hasNaN(value: Encodable): boolean {
  if (typeof value === "number") return value !== value;
  return Array.isArray(value) && (value as readonly Encodable[]).some(hasNaN);
}

function withCanonicalNaN(value: Encodable): Encodable {
  if (typeof value === "number") return value !== value ? CANONICAL_NAN : value;
  return Array.isArray(value) ? (value as readonly Encodable[]).map(withCanonicalNaN) : value;
}

export function encode(value: Encodable): Uint8Array {
  return asBytes(packr.pack(hasNaN(value) ? withCanonicalNaN(value) : value));
}

/** Decodes canonical bytes into plain values (Buffers normalised to Uint8Array). */
export function decode(bytes: Uint8Array): Encodable {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (err) {
    throw new AttestaError(CodecErrorCode.MALFORMED, "undecodable msgpack", { reason: (err as Error).message });
  }
  sawNaN = false;
  const normalised = normalise(value, 0);
  if (!encodesTo(normalised, bytes)) throw new AttestaError(CodecErrorCode.NON_CANONICAL, "encoding is not canonical");
  return normalised;
}

/** msgpackr's own slab with the encoding at [start, end), valid until its next pack (REUSE_BUFFER_MODE). */
type Slab = Buffer & { start: number; end: number };

/**
 * The canonical check: whether `value` encodes to exactly `bytes`. As `encode` (with its NaN
 * walk only when normalising saw a NaN), but compared in place in msgpackr's slab, which is
 * then reused (RESET_BUFFER_MODE): no view, no copy, and no slab used up by the check.
 */
function encodesTo(value: Encodable, bytes: Uint8Array): boolean {
  const slab = packr.pack(sawNaN ? withCanonicalNaN(value) : value, REUSE_BUFFER_MODE | RESET_BUFFER_MODE) as Slab;
  return slab.end - slab.start === bytes.length && slab.compare(bytes, 0, bytes.length, slab.start, slab.end) === 0;
}

/**
 * Decodes bytes this node wrote itself (its database): the same value types as `decode`,
 * without the canonical re-encoding check, which only matters for outside input.
 */
export function decodeTrusted(bytes: Uint8Array): Encodable {
  try {
    return normalise(packr.unpack(bytes), 0);
  } catch (err) {
    if (err instanceof AttestaError) throw err;
    throw new AttestaError(CodecErrorCode.MALFORMED, "undecodable msgpack", { reason: (err as Error).message });
  }
}

/** Set by `normalise` when the value holds a NaN (which `encode` writes in one canonical form). */
let sawNaN = false;

/**
 * Checks a freshly unpacked value and normalises it in place (arrays are msgpackr's own, new
 * for this value): Buffers become plain Uint8Array views, bigints are range-checked.
 */
function normalise(value: unknown, depth: number): Encodable {
  if (depth > MAX_DEPTH) throw new AttestaError(CodecErrorCode.MALFORMED, "nested too deeply");
  switch (typeof value) {
    case "number":
      if (value !== value) sawNaN = true;
      return value;
    case "boolean":
    case "string":
      return value;
    case "bigint":
      if (value < -(1n << 63n) || value > U64_MAX) throw new AttestaError(CodecErrorCode.MALFORMED, "integer out of range");
      return value;
    case "object":
      if (value === null) return null;
      if (value instanceof Uint8Array) return asBytes(value);
      if (Array.isArray(value)) {
        const items = value as unknown[];
        for (let i = 0; i < items.length; i++) items[i] = normalise(items[i], depth + 1);
        return items as Encodable[];
      }
      break;
  }
  throw new AttestaError(CodecErrorCode.MALFORMED, "maps, extensions and undefined are not allowed");
}
