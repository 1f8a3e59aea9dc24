import { keyTypeFromCode, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from "../crypto/keyTypes.js";
import type { Encodable } from "./codec.js";
import type { Transaction } from "./txTypes.js";

/**
 * The fast path of `decodeTransaction`: a decoder of the msgpack that `encode` writes for the
 * common values (ASCII strings, integers, bigints, finite floats, byte strings, arrays, null,
 * booleans), which returns a value only when the bytes are exactly what `encode` writes for it,
 * so `decode` of the same bytes gives an equal value. Anything else (a non-ASCII string, a
 * NaN, a non-minimal form, a map, an extension, 32-bit lengths, trailing bytes, a short
 * input) gives undefined, and the caller falls back to `decode`, which then accepts or
 * refuses it with its own error. It never throws on any input.
 *
 * The forms mirror msgpackr's pack.js (Packr with useRecords: false, no useFloat32):
 * - number: 0..0x7f fixint, then 0xcc / 0xcd / 0xce by value; -32..-1 fixint, then 0xd0 /
 *   0xd1 / 0xd2; any other number (beyond 32 bits, fractional, -0) as float64 0xcb;
 * - bigint: 0xd3 in [-2^63, 2^63), 0xcf in [2^63, 2^64);
 * - string: fixstr below 32 bytes, then str8 / str16 by byte length (only 32-bit lengths left);
 * - bytes: bin8 below 256, then bin16 (bin32 left to `decode`);
 * - array: fixarray below 16, then array16 (array32 left to `decode`).
 * Nesting: `decode` refuses any value deeper than MAX_DEPTH (the outer value is at 0).
 */

/** Longest chain id and kind (in UTF-16 units) a transaction may carry; `decodeTransaction`'s reader checks the same. */
export const MAX_CHAIN_ID_LENGTH = 64;
export const MAX_KIND_LENGTH = 64;

/** As `decode`'s (codec.ts). */
const MAX_DEPTH = 16;

/** A value the fast path is not certain of: the caller falls back to `decode`. */
const UNSURE: unique symbol = Symbol("unsure");
type Read = Encodable | typeof UNSURE;

const EMPTY = new Uint8Array(0);
/** The input being read, and the read position in it (cleared after each call). */
let src: Uint8Array = EMPTY;
let pos = 0;
let srcBuffer: ArrayBufferLike = EMPTY.buffer;
let srcOffset = 0;

// Floats and 64-bit integers are read through this scratch copy: no DataView per input.
const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);

function load8(): void {
  for (let i = 0; i < 8; i++) scratch[i] = src[pos + i] as number;
  pos += 8;
}

/** Runs `parse` over `bytes` as the parser's input; undefined for anything it throws. */
function parsing<T>(bytes: Uint8Array, parse: () => T | undefined): T | undefined {
  src = bytes;
  pos = 0;
  srcBuffer = bytes.buffer;
  srcOffset = bytes.byteOffset;
  try {
    return parse();
  } catch {
    return undefined; // not expected; whatever it was, `decode` decides
  } finally {
    src = EMPTY;
    srcBuffer = EMPTY.buffer;
  }
}

/** The value `decode(bytes)` returns, when `bytes` is one of the common canonical forms; else undefined. */
export function decodeCanonicalFast(bytes: Uint8Array): Encodable | undefined {
  return parsing(bytes, () => {
    const value = read(0);
    return value === UNSURE || pos !== bytes.length ? undefined : value;
  });
}

/**
 * The fields of a transaction (as `decodeTransaction` reads them with a TupleReader), when its
 * bytes are common canonical forms and every field is as the reader requires; else undefined,
 * and `decodeTransaction` decodes generically, accepting or refusing with the reader's error.
 */
export function decodeTransactionFast(bytes: Uint8Array): Transaction | undefined {
  return parsing(bytes, () => (bytes[0] === 0x99 ? transaction() : undefined));
}

/** The 9-tuple after its header, each field read as `read` does and checked as TupleReader's `string`, `uint`, ... do. */
function transaction(): Transaction | undefined {
  pos = 1;
  const chainId = read(1);
  if (typeof chainId !== "string" || chainId.length > MAX_CHAIN_ID_LENGTH) return undefined;
  const nonce = read(1);
  if (!isUint(nonce)) return undefined;
  const fee = read(1);
  if (typeof fee !== "bigint" || fee < 0n) return undefined; // `read` gives no bigint above 2^64 - 1
  const expiry = read(1);
  if (!isUint(expiry)) return undefined;
  const kind = read(1);
  if (typeof kind !== "string" || kind.length > MAX_KIND_LENGTH) return undefined;
  const args = read(1);
  if (!Array.isArray(args)) return undefined;
  const code = read(1);
  if (!isUint(code)) return undefined;
  const keyType = keyTypeFromCode(code);
  if (keyType === undefined) return undefined;
  const publicKey = read(1);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH[keyType]) return undefined;
  const signature = read(1);
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return undefined;
  if (pos !== src.length) return undefined;
  return { chainId, nonce, fee, expiry, kind, args: args as readonly Encodable[], keyType, publicKey, signature };
}

function isUint(v: Read): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function read(depth: number): Read {
  if (depth > MAX_DEPTH) return UNSURE;
  const end = src.length;
  if (pos >= end) return UNSURE;
  const t = src[pos++] as number;
  if (t < 0x80) return t;
  if (t >= 0xe0) return t - 0x100;
  if (t >= 0xa0 && t < 0xc0) return str(t - 0xa0);
  if (t >= 0x90 && t < 0xa0) return array(t - 0x90, depth);
  let v: number;
  switch (t) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      if (pos + 1 > end) return UNSURE;
      return bin(src[pos++] as number);
    case 0xc5:
      if (pos + 2 > end) return UNSURE;
      v = u16();
      return v >= 0x100 ? bin(v) : UNSURE;
    case 0xcb: {
      if (pos + 8 > end) return UNSURE;
      load8();
      const f = scratchView.getFloat64(0);
      // NaN (written in one canonical form) and numbers msgpackr writes as integers (-0 too) are left to `decode`.
      return f !== f || f >>> 0 === f || f >> 0 === f ? UNSURE : f;
    }
    case 0xcc:
      if (pos + 1 > end) return UNSURE;
      v = src[pos++] as number;
      return v >= 0x80 ? v : UNSURE;
    case 0xcd:
      if (pos + 2 > end) return UNSURE;
      v = u16();
      return v >= 0x100 ? v : UNSURE;
    case 0xce:
      if (pos + 4 > end) return UNSURE;
      v = u32();
      return v >= 0x10000 ? v : UNSURE;
    case 0xcf:
      if (pos + 8 > end || (src[pos] as number) < 0x80) return UNSURE; // below 2^63 is written 0xd3
      load8();
      return scratchView.getBigUint64(0);
    case 0xd0:
      if (pos + 1 > end) return UNSURE;
      v = ((src[pos++] as number) << 24) >> 24;
      return v < -0x20 ? v : UNSURE;
    case 0xd1:
      if (pos + 2 > end) return UNSURE;
      v = (u16() << 16) >> 16;
      return v < -0x80 ? v : UNSURE;
    case 0xd2:
      if (pos + 4 > end) return UNSURE;
      v = u32() | 0;
      return v < -0x8000 ? v : UNSURE;
    case 0xd3:
      if (pos + 8 > end) return UNSURE;
      load8();
      return scratchView.getBigInt64(0);
    case 0xd9:
      if (pos + 1 > end) return UNSURE;
      v = src[pos++] as number;
      return v >= 0x20 ? str(v) : UNSURE;
    case 0xda:
      if (pos + 2 > end) return UNSURE;
      v = u16();
      return v >= 0x100 ? str(v) : UNSURE;
    case 0xdc:
      if (pos + 2 > end) return UNSURE;
      v = u16();
      return v >= 0x10 ? array(v, depth) : UNSURE;
    default:
      return UNSURE;
  }
}

function u16(): number {
  const v = ((src[pos] as number) << 8) | (src[pos + 1] as number);
  pos += 2;
  return v;
}

function u32(): number {
  const v = (src[pos] as number) * 0x1000000 + (((src[pos + 1] as number) << 16) | ((src[pos + 2] as number) << 8) | (src[pos + 3] as number));
  pos += 4;
  return v;
}

function array(length: number, depth: number): Read {
  if (length > src.length - pos) return UNSURE; // every item takes at least a byte
  const items = new Array<Encodable>(length);
  for (let i = 0; i < length; i++) {
    const item = read(depth + 1);
    if (item === UNSURE) return UNSURE;
    items[i] = item;
  }
  return items;
}

/** A view of the input, as `decode` returns (a plain Uint8Array over the same memory). */
function bin(length: number): Read {
  if (pos + length > src.length) return UNSURE;
  const view = new Uint8Array(srcBuffer, srcOffset + pos, length);
  pos += length;
  return view;
}

/** Char code arrays by length (setting an array's length costs a call into the runtime). */
const codesOfLength: number[][] = Array.from({ length: 65 }, (_, n) => new Array<number>(n).fill(0));
const utf8Decoder = new TextDecoder();
/** Up to this many bytes (at most the longest codesOfLength) a string is built from its char codes; longer ones go to TextDecoder (same result for ASCII). */
const SHORT_STRING = 64;
/**
 * Short strings decoded lately, by a hash of their length and three bytes: chain ids, kinds,
 * ids and metric names repeat from one transaction to the next. A hit is a string whose char
 * codes are exactly the bytes, so it is the string they decode to.
 */
const recent: string[] = new Array<string>(64).fill("");

/** An ASCII string (any other byte: UNSURE), which every UTF-8 decoder reads the same. */
function str(length: number): Read {
  const start = pos;
  const end = start + length;
  if (end > src.length) return UNSURE;
  if (length > SHORT_STRING) {
    for (let i = start; i < end; i++) if ((src[i] as number) >= 0x80) return UNSURE;
    pos = end;
    return utf8Decoder.decode(src.subarray(start, end));
  }
  if (length === 0) return "";
  const slot = (length + 3 * (src[start] as number) + 5 * (src[start + (length >> 1)] as number) + 7 * (src[end - 1] as number)) & 63;
  const hit = recent[slot] as string;
  if (hit.length === length) {
    let i = 0;
    while (i < length && hit.charCodeAt(i) === src[start + i]) i++;
    if (i === length) {
      pos = end;
      return hit;
    }
  }
  const codes = codesOfLength[length] as number[];
  for (let i = 0; i < length; i++) {
    const c = src[start + i] as number;
    if (c >= 0x80) return UNSURE;
    codes[i] = c;
  }
  pos = end;
  const decoded = String.fromCharCode.apply(null, codes);
  recent[slot] = decoded;
  return decoded;
}
