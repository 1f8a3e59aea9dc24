import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { concatBytes, toHex } from "../../../src/crypto/bytes.js";
import { isAttestaError } from "../../../src/errors.js";
import { CodecErrorCode, decode, encode, type Encodable } from "../../../src/ledger/codec.js";

// The codec's promise: every Encodable value has exactly one encoding, `decode` accepts only
// that one (NON_CANONICAL otherwise), and anything that is no Encodable at all is MALFORMED.

function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s/g, ""), "hex"));
}

/** The error code `decode` throws for `bytes`, or "ok" when it decodes. */
function decodeCode(bytes: Uint8Array): string {
  try {
    decode(bytes);
    return "ok";
  } catch (err) {
    if (!isAttestaError(err)) throw err;
    return err.code;
  }
}

// ---- msgpack writers for the forms msgpackr never emits --------------------------------

function be(value: bigint, length: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(length * 8, value);
  for (let i = 0; i < length; i++) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}
function float64(value: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return [...new Uint8Array(view.buffer)];
}
function float32(value: number): number[] | undefined {
  if (Math.fround(value) !== value && !Number.isNaN(value)) return undefined;
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return [...new Uint8Array(view.buffer)];
}

/** Every msgpack form whose value is the integer `n`: the fixints, each int and uint width, float32, float64 (uint64 decodes as a bigint). */
function integerForms(n: number): Uint8Array[] {
  const b = BigInt(n);
  const forms: number[][] = [];
  if (n >= 0 && n < 128) forms.push([n]);
  if (n < 0 && n >= -32) forms.push([n & 0xff]);
  if (n >= 0) {
    if (n < 2 ** 8) forms.push([0xcc, ...be(b, 1)]);
    if (n < 2 ** 16) forms.push([0xcd, ...be(b, 2)]);
    if (n < 2 ** 32) forms.push([0xce, ...be(b, 4)]);
    forms.push([0xcf, ...be(b, 8)]);
  }
  if (n >= -(2 ** 7) && n < 2 ** 7) forms.push([0xd0, ...be(b, 1)]);
  if (n >= -(2 ** 15) && n < 2 ** 15) forms.push([0xd1, ...be(b, 2)]);
  if (n >= -(2 ** 31) && n < 2 ** 31) forms.push([0xd2, ...be(b, 4)]);
  // (int64 0xd3 is left out: it is the canonical form of the bigint, a different value.)
  forms.push([0xcb, ...float64(n)]);
  const f32 = float32(n);
  if (f32 !== undefined) forms.push([0xca, ...f32]);
  return forms.map((f) => Uint8Array.from(f));
}

/** A header announcing `length` items or bytes in every width that can hold it. */
function lengthHeaders(length: number, fix: number | undefined, fixMax: number, codes: readonly (number | undefined)[]): number[][] {
  const headers: number[][] = [];
  if (fix !== undefined && length <= fixMax) headers.push([fix | length]);
  const [c8, c16, c32] = codes;
  if (c8 !== undefined && length < 2 ** 8) headers.push([c8, ...be(BigInt(length), 1)]);
  if (c16 !== undefined && length < 2 ** 16) headers.push([c16, ...be(BigInt(length), 2)]);
  if (c32 !== undefined) headers.push([c32, ...be(BigInt(length), 4)]);
  return headers;
}

function stringForms(s: string): Uint8Array[] {
  const body = Buffer.from(s, "utf8");
  return lengthHeaders(body.length, 0xa0, 31, [0xd9, 0xda, 0xdb]).map((h) => concatBytes(Uint8Array.from(h), body));
}
function binForms(bytes: Uint8Array): Uint8Array[] {
  return lengthHeaders(bytes.length, undefined, 0, [0xc4, 0xc5, 0xc6]).map((h) => concatBytes(Uint8Array.from(h), bytes));
}
function arrayForms(items: readonly Encodable[]): Uint8Array[] {
  const body = concatBytes(...items.map(encode));
  return lengthHeaders(items.length, 0x90, 15, [undefined, 0xdc, 0xdd]).map((h) => concatBytes(Uint8Array.from(h), body));
}

/** All forms but the canonical one must be refused as NON_CANONICAL, alone and inside a tuple. */
function expectOnlyCanonical(forms: readonly Uint8Array[], canonical: Uint8Array): void {
  expect(forms.map(toHex)).toContain(toHex(canonical));
  for (const form of forms) {
    if (toHex(form) === toHex(canonical)) continue;
    expect(decodeCode(form), toHex(form)).toBe(CodecErrorCode.NON_CANONICAL);
    expect(decodeCode(concatBytes(hex("92 01"), form)), toHex(form)).toBe(CodecErrorCode.NON_CANONICAL);
  }
}

// ---- arbitraries -----------------------------------------------------------------------

const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;

const leaf: fc.Arbitrary<Encodable> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double().map((d) => (Object.is(d, -0) ? 0 : d)), // -0 is written as 0 (see below)
  fc.bigInt({ min: I64_MIN, max: U64_MAX }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }),
);

const encodable: fc.Arbitrary<Encodable> = fc.letrec<{ value: Encodable }>((tie) => ({
  value: fc.oneof({ maxDepth: 6, depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 20 })),
})).value;

function everyBytes(value: Encodable, check: (bytes: Uint8Array) => void): void {
  if (value instanceof Uint8Array) check(value);
  else if (Array.isArray(value)) for (const item of value as readonly Encodable[]) everyBytes(item, check);
}

// ---- tests -----------------------------------------------------------------------------

describe("round trip", () => {
  it("decode(encode(v)) equals v and encode(decode(b)) equals b, for any Encodable", () => {
    fc.assert(
      fc.property(encodable, (value) => {
        const bytes = encode(value);
        const decoded = decode(bytes);
        expect(decoded).toStrictEqual(value);
        expect(toHex(encode(decoded))).toBe(toHex(bytes)); // (msgpackr caches a `dataView` property on its input)
      }),
      { numRuns: 500 },
    );
  });

  it("hands back byte strings as plain Uint8Array, from Uint8Array and from Buffer input", () => {
    fc.assert(
      fc.property(encodable, (value) => {
        const bytes = encode(value);
        for (const input of [bytes, Buffer.from(bytes)]) {
          everyBytes(decode(input), (b) => expect(Object.getPrototypeOf(b)).toBe(Uint8Array.prototype));
        }
      }),
      { numRuns: 200 },
    );
    expect(Object.getPrototypeOf(encode([1]))).toBe(Uint8Array.prototype);
  });

  it("keeps bigint and number apart: 5n and 5 have different encodings", () => {
    expect(toHex(encode(5))).toBe("0x05");
    expect(toHex(encode(5n))).toBe("0xd30000000000000005");
    expect(decode(encode(5n))).toBe(5n);
    expect(decode(encode(2n ** 64n - 1n))).toBe(2n ** 64n - 1n);
    expect(decode(encode(-(2n ** 63n)))).toBe(-(2n ** 63n));
  });

  it("writes -0 as 0, and every NaN as the one quiet NaN", () => {
    expect(encode(-0)).toEqual(encode(0));
    const computedNaN = Infinity - Infinity; // 0xfff8... on x86, 0x7ff8... on ARM
    expect(toHex(encode(computedNaN))).toBe("0xcb7ff8000000000000");
    expect(toHex(encode([NaN, [computedNaN]]))).toBe("0x92cb7ff800000000000091cb7ff8000000000000");
    expect(decode(hex("cb7ff8000000000000"))).toBeNaN();
  });

  it("handles the length boundaries of every header", () => {
    for (const length of [0, 15, 16, 31, 32, 255, 256, 65535, 65536]) {
      const s = "x".repeat(length);
      const b = new Uint8Array(length).fill(7);
      const a = new Array<Encodable>(length).fill(1);
      for (const value of [s, b, a]) expect(decode(encode(value))).toStrictEqual(value);
    }
  });
});

describe("NON_CANONICAL", () => {
  it("refuses every wider form of an integer (0xcc 0x05 for 5, uint16, int8, float32, float64, int64, uint64)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -40, max: 300 }), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), fc.maxSafeInteger()),
        (n) => expectOnlyCanonical(integerForms(n), encode(n)),
      ),
    );
    expect(decodeCode(hex("cc05"))).toBe(CodecErrorCode.NON_CANONICAL);
    expect(decodeCode(hex("cd0005"))).toBe(CodecErrorCode.NON_CANONICAL);
  });

  it("refuses an integer value written as float64, and -0.0", () => {
    expect(decodeCode(hex("cb4014000000000000"))).toBe(CodecErrorCode.NON_CANONICAL); // 5.0
    expect(decodeCode(hex("cb8000000000000000"))).toBe(CodecErrorCode.NON_CANONICAL); // -0.0
    expect(decodeCode(hex("cb0000000000000000"))).toBe(CodecErrorCode.NON_CANONICAL); // +0.0
  });

  it("refuses float32 for any double, and NaN with another bit pattern", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (f) => {
        expect(decodeCode(Uint8Array.from([0xca, ...(float32(f) ?? [])]))).toBe(CodecErrorCode.NON_CANONICAL);
      }),
    );
    for (const nan of ["cbfff8000000000000", "cb7ff0000000000001", "cb7ff8000000000001", "ca7fc00000"]) {
      expect(decodeCode(hex(nan)), nan).toBe(CodecErrorCode.NON_CANONICAL);
    }
  });

  it("refuses a bigint below 2^63 written as uint64", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (n) => {
        expect(decodeCode(Uint8Array.from([0xcf, ...be(n, 8)]))).toBe(CodecErrorCode.NON_CANONICAL);
        expect(decodeCode(Uint8Array.from([0xd3, ...be(n, 8)]))).toBe("ok");
      }),
    );
  });

  it("refuses a string with a wider header than it needs (str8 or str16 for a fixstr, ...)", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => expectOnlyCanonical(stringForms(s), encode(s))));
    expect(decodeCode(hex("da000161"))).toBe(CodecErrorCode.NON_CANONICAL); // "a" as str16
    expect(decodeCode(hex("d90161"))).toBe(CodecErrorCode.NON_CANONICAL); // "a" as str8
  });

  it("refuses strings that are not valid UTF-8", () => {
    expect(decodeCode(hex("a2c328"))).toBe(CodecErrorCode.NON_CANONICAL);
    expect(decodeCode(hex("a3eda080"))).toBe(CodecErrorCode.NON_CANONICAL); // a lone surrogate
  });

  it("refuses bytes with a wider header than they need (bin16 for short bytes)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => expectOnlyCanonical(binForms(b), encode(b))));
    expect(decodeCode(hex("c5000101"))).toBe(CodecErrorCode.NON_CANONICAL);
  });

  it("refuses an array with a wider header than it needs (array16 for a fixarray)", () => {
    fc.assert(fc.property(fc.array(leaf, { maxLength: 40 }), (a) => expectOnlyCanonical(arrayForms(a), encode(a))));
    expect(decodeCode(hex("dc000101"))).toBe(CodecErrorCode.NON_CANONICAL);
  });

  it("refuses the two extensions msgpackr maps onto Encodable values (typed Uint8Array, BigInt)", () => {
    // Not MALFORMED: msgpackr turns them into a Uint8Array and a bigint, which re-encode differently.
    expect(decodeCode(hex("d6 74 01 010203"))).toBe(CodecErrorCode.NON_CANONICAL);
    expect(decodeCode(hex("d4 42 05"))).toBe(CodecErrorCode.NON_CANONICAL);
  });
});

describe("MALFORMED", () => {
  it("refuses maps, empty or not, at any depth", () => {
    for (const map of ["80", "81a161a162", "de0000", "df00000000", "9180", "92 01 81 01 02"]) {
      expect(decodeCode(hex(map)), map).toBe(CodecErrorCode.MALFORMED);
    }
  });

  it("refuses extension types (timestamp, undefined, Set, records, unknown types)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.boolean(), (type, data, nested) => {
        fc.pre(type !== 0x74 && type !== 0x42);
        const ext = Uint8Array.from([0xc7, data.length, type, ...data]);
        expect(decodeCode(nested ? concatBytes(hex("92 01"), ext) : ext)).toBe(CodecErrorCode.MALFORMED);
      }),
    );
    for (const ext of ["d6ff00000001", "d40000", "d40700", "c70273 90", "d47240 91a161 05", "c1"]) {
      expect(decodeCode(hex(ext)), ext).toBe(CodecErrorCode.MALFORMED);
    }
  });

  it("refuses trailing bytes after a value", () => {
    fc.assert(
      fc.property(encodable, fc.uint8Array({ minLength: 1, maxLength: 8 }), (value, extra) => {
        expect(decodeCode(concatBytes(encode(value), extra))).toBe(CodecErrorCode.MALFORMED);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses every truncation of a value", () => {
    fc.assert(
      fc.property(encodable, fc.nat(), (value, cut) => {
        const bytes = encode(value);
        const truncated = bytes.subarray(0, cut % bytes.length);
        expect(decodeCode(truncated)).toBe(CodecErrorCode.MALFORMED);
      }),
      { numRuns: 300 },
    );
    expect(decodeCode(new Uint8Array(0))).toBe(CodecErrorCode.MALFORMED);
    expect(decodeCode(hex("dd ffffffff"))).toBe(CodecErrorCode.MALFORMED); // claims 2^32 - 1 items
    expect(decodeCode(hex("c6 ffffffff 00"))).toBe(CodecErrorCode.MALFORMED);
  });

  it("refuses nesting deeper than 16 levels", () => {
    let value: Encodable = 1;
    for (let depth = 0; depth < 16; depth++) value = [value];
    expect(decode(encode(value))).toStrictEqual(value);
    expect(decodeCode(encode([value]))).toBe(CodecErrorCode.MALFORMED);
  });

  it("never throws anything but an AttestaError on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(["ok", CodecErrorCode.MALFORMED, CodecErrorCode.NON_CANONICAL]).toContain(decodeCode(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
