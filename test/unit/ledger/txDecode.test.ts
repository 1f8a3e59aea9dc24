import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { equalBytes, toHex } from "../../../src/crypto/bytes.js";
import { KEY_TYPES, keyTypeCode, PUBLIC_KEY_LENGTH, type KeyType } from "../../../src/crypto/keyTypes.js";
import { isAttestaError } from "../../../src/errors.js";
import { CodecErrorCode, decode, encode, type Encodable } from "../../../src/ledger/codec.js";
import { decodeTransaction, decodeTransactionGeneric, MAX_TX_BYTES_ABSOLUTE, signTransaction } from "../../../src/ledger/transaction.js";
import { decodeCanonicalFast, decodeTransactionFast } from "../../../src/ledger/txDecode.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { filledBytes, makeKey, makeTransfer, makeUnsignedTx, TEST_CHAIN_ID, TRANSFER_KIND } from "../../fixtures/builders.js";
import { readingTuple, SUBMIT_KIND, syntheticReading } from "../../fixtures/readings.js";

// decodeTransaction's fast path must accept exactly what the generic path (decode's canonical
// re-encoding check, then a TupleReader) accepts, with equal results, and everything it is
// unsure of must reach the generic path, which refuses with its own error code: consensus
// depends on every node accepting the same bytes.

// Byte strings compare by type (plain Uint8Array, never Buffer) and content: msgpackr caches a
// `dataView` property on arrays it decodes, which a plain deep equality would count.
expect.addEqualityTesters([
  (a: unknown, b: unknown) =>
    a instanceof Uint8Array && b instanceof Uint8Array ? Object.getPrototypeOf(a) === Object.getPrototypeOf(b) && equalBytes(a, b) : undefined,
]);

const FC = { seed: Number(process.env.FC_SEED ?? 1), endOnFailure: true };
const RUNS = 600;

type Outcome<T> = { ok: T } | { code: string } | { thrown: string };

/** What `fn` returns, or the code of the AttestaError it throws (any other error by its name). */
function outcome<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: fn() };
  } catch (err) {
    return isAttestaError(err) ? { code: err.code } : { thrown: (err as Error).name };
  }
}

/** The fast path and the generic path agree on `bytes`; returns whether the fast path decided. */
function expectSameAsGeneric(bytes: Uint8Array): boolean {
  const generic = outcome(() => decodeTransactionGeneric(bytes));
  expect(outcome(() => decodeTransaction(bytes)), toHex(bytes)).toStrictEqual(generic);
  const fast = bytes.length > MAX_TX_BYTES_ABSOLUTE ? undefined : decodeTransactionFast(bytes);
  if (fast === undefined) return false;
  // Accepted by the fast path: the generic path accepts too, with the very same fields.
  if (!("ok" in generic)) throw new Error(`the fast path accepted what the generic path refuses: ${toHex(bytes)}`);
  const tx: Record<string, unknown> = { ...generic.ok };
  for (const [field, value] of Object.entries(fast)) expect(value, field).toStrictEqual(tx[field]);
  return true;
}

/** The fast value decoder agrees with `decode`; returns whether it decided. */
function expectSameAsDecode(bytes: Uint8Array): boolean {
  const fast = decodeCanonicalFast(bytes);
  if (fast === undefined) return false;
  expect(outcome(() => decode(bytes)), toHex(bytes)).toStrictEqual({ ok: fast });
  return true;
}

// ---- arbitraries -----------------------------------------------------------------------

const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;
/** Every integer at or next to a boundary of msgpack's forms (and of safe integers). */
const BOUNDARY_INTS = [
  0, 1, 31, 32, 63, 64, 127, 128, 255, 256, 0xffff, 0x10000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64,
  -1, -31, -32, -33, -127, -128, -129, -0x7fff, -0x8000, -0x8001, -(2 ** 31) + 1, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 32), -(2 ** 53) + 1, -(2 ** 53),
];
const LENGTHS = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257];

const integer = fc.oneof(fc.constantFrom(...BOUNDARY_INTS), fc.integer(), fc.maxSafeInteger(), fc.integer({ min: -300, max: 300 }));
const bigint = fc.oneof(fc.constantFrom(0n, 1n, -1n, 2n ** 63n - 1n, 2n ** 63n, I64_MIN, U64_MAX, 2n ** 32n), fc.bigInt({ min: I64_MIN, max: U64_MAX }));
const float = fc.oneof(fc.double(), fc.constantFrom(NaN, -0, 0.5, -0.5, Infinity, -Infinity, 2 ** 32 + 0.5, 1e300, 5e-324, 1_665_443_600_000));
const asciiChar = fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c));
const nonAsciiChar = fc.constantFrom("é", "€", "😀", "\u0080", "\uffff", "\ud800", "\udc00");
/** A string of a boundary length, all ASCII or with one other character (of 2, 3 or 4 UTF-8 bytes, or a lone surrogate). */
const stringAtBoundary = fc
  .tuple(fc.constantFrom(...LENGTHS), asciiChar, fc.option(nonAsciiChar), fc.nat())
  .map(([length, c, other, at]) => {
    const s = c.repeat(length);
    return other === null || length === 0 ? s : s.slice(0, at % length) + other + s.slice((at % length) + 1);
  });
const string = fc.oneof(
  fc.string({ unit: asciiChar, maxLength: 40 }),
  stringAtBoundary,
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(...LENGTHS, 20, 32, 33, 64).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
);
const leaf: fc.Arbitrary<Encodable> = fc.oneof(fc.constant(null), fc.boolean(), integer, bigint, float, string, bytes);

const encodable: fc.Arbitrary<Encodable> = fc.letrec<{ value: Encodable }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthSize: "small" },
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: fc.array(tie("value"), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(leaf, { minLength: 15, maxLength: 17 }) },
  ),
})).value;

/** `value` wrapped in `depth` single-item arrays. */
function nested(value: Encodable, depth: number): Encodable {
  return depth === 0 ? value : [nested(value, depth - 1)];
}

const KEYS = Object.fromEntries(KEY_TYPES.map((type) => [type, makeKey(type, "txDecode")])) as Record<KeyType, ReturnType<typeof makeKey>>;

const uint = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constantFrom(...BOUNDARY_INTS.filter((n) => n >= 0 && Number.isSafeInteger(n))));
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom(0n, 2n ** 63n - 1n, 2n ** 63n, U64_MAX));
const shortAscii = fc.string({ unit: asciiChar, maxLength: 64 });

/** The 9 fields of a valid transaction of any key type, with random args. */
const validTx = fc
  .record({
    type: fc.constantFrom(...KEY_TYPES),
    chainId: fc.oneof(fc.constant(TEST_CHAIN_ID), shortAscii),
    nonce: uint,
    fee: u64,
    expiry: uint,
    kind: fc.oneof(fc.constantFrom(TRANSFER_KIND, SUBMIT_KIND, "x".repeat(64)), shortAscii),
    args: fc.array(encodable, { maxLength: 6 }),
    signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  })
  .map((f): Encodable[] => [f.chainId, f.nonce, f.fee, f.expiry, f.kind, f.args, keyTypeCode(f.type), KEYS[f.type].publicKey, f.signature]);

/** A valid transaction, or one with a field replaced by any value (of another type, size or length). */
const anyTx = fc
  .tuple(
    validTx,
    fc.option(fc.tuple(fc.nat(8), fc.oneof(leaf, encodable, string, uint, fc.constantFrom(...[31, 32, 33, 34, 63, 65].map((n) => filledBytes(n, 2))))), { freq: 2 }),
  )
  .map(([fields, replace]) => (replace === null ? fields : fields.map((v, i) => (i === replace[0] ? replace[1] : v))));

/** A mutation of encoded bytes: flip, insert, delete, overwrite or truncate at a random place. */
const mutation = fc.tuple(fc.constantFrom("flip", "set", "insert", "delete", "truncate"), fc.nat(), fc.integer({ min: 0, max: 255 }));
function mutate(input: Uint8Array, [op, at, byte]: [string, number, number]): Uint8Array {
  const i = at % input.length;
  const out = [...input];
  if (op === "flip") out[i] = (out[i] as number) ^ (1 << (byte % 8));
  else if (op === "set") out[i] = byte;
  else if (op === "insert") out.splice(i, 0, byte);
  else if (op === "delete") out.splice(i, 1);
  else out.length = i;
  return Uint8Array.from(out);
}

// ---- msgpack forms msgpackr never writes -----------------------------------------------

function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s/g, ""), "hex"));
}
function be(value: bigint | number, length: number): string {
  return BigInt.asUintN(length * 8, BigInt(value)).toString(16).padStart(length * 2, "0");
}
function f64(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return Buffer.from(view.buffer).toString("hex");
}
function ascii(s: string): string {
  return Buffer.from(s, "latin1").toString("hex");
}

// ---- tests -----------------------------------------------------------------------------

describe("decodeTransactionFast: the fast path is taken", () => {
  it.each(KEY_TYPES)("for a typical %s accounts.transfer", (type) => {
    const tx = makeTransfer({ key: KEYS[type], nonce: 3, fee: 12_000n });
    expect(decodeTransactionFast(tx.bytes)).toBeDefined();
    expect(decodeTransaction(tx.bytes)).toStrictEqual(decodeTransactionGeneric(tx.bytes));
    expect(decodeTransaction(tx.bytes)).toEqual(tx);
  });

  it.each(KEY_TYPES)("for a typical %s readings.submit (floats, a timestamp beyond 32 bits)", (type) => {
    const args = readingTuple(syntheticReading(`${type}-7`, 7, 42));
    const tx = signTransaction(makeUnsignedTx(KEYS[type], { kind: SUBMIT_KIND, nonce: 41, fee: 10_000n, args }), KEYS[type]);
    expect(decodeTransactionFast(tx.bytes)).toBeDefined();
    expect(decodeTransaction(tx.bytes)).toStrictEqual(decodeTransactionGeneric(tx.bytes));
    expect(decodeTransaction(tx.bytes)).toEqual(tx);
  });

  it("for a bigint fee of 2^63 and more (written 0xcf) as for a smaller one (written 0xd3)", () => {
    for (const fee of [0n, 2n ** 63n - 1n, 2n ** 63n, U64_MAX]) {
      const tx = makeTransfer({ key: KEYS.secp256k1, fee });
      expect(decodeTransactionFast(tx.bytes)?.fee).toBe(fee);
      expectSameAsGeneric(tx.bytes);
    }
  });
});

describe("decodeCanonicalFast agrees with decode", () => {
  it("on every encoded value it decides, and decides every common one", () => {
    let decided = 0;
    fc.assert(
      fc.property(encodable, (value) => {
        if (expectSameAsDecode(encode(value))) decided++;
      }),
      { ...FC, numRuns: RUNS * 2 },
    );
    expect(decided).toBeGreaterThan(RUNS / 2);
  });

  it("on mutated encodings", () => {
    fc.assert(
      fc.property(encodable, mutation, (value, m) => {
        const bytes = encode([value]);
        expectSameAsDecode(mutate(bytes, m));
      }),
      { ...FC, numRuns: RUNS },
    );
  });

  it("decides ASCII strings of every length up to 65535 bytes, and leaves the rest to decode", () => {
    for (const length of [0, 31, 32, 64, 65, 255, 256, 0xffff, 0x10000]) {
      const bytes = encode("a".repeat(length));
      expect(expectSameAsDecode(bytes), `length ${length}`).toBe(length < 0x10000);
    }
    expect(expectSameAsDecode(encode("é"))).toBe(false);
    expect(expectSameAsDecode(encode(filledBytes(0x10000)))).toBe(false);
  });

  it("leaves values deeper than decode allows to decode (MALFORMED)", () => {
    for (let depth = 14; depth <= 18; depth++) {
      const bytes = encode(nested(1, depth));
      expect(expectSameAsDecode(bytes), `depth ${depth}`).toBe(depth <= 16);
      if (depth > 16) expect(outcome(() => decode(bytes))).toEqual({ code: CodecErrorCode.MALFORMED });
    }
  });
});

describe("decodeTransaction: the fast path against the generic path", () => {
  it("gives equal transactions or the same error code on random transactions of every key type", () => {
    let decided = 0;
    fc.assert(
      fc.property(anyTx, (fields) => {
        if (expectSameAsGeneric(encode(fields))) decided++;
      }),
      { ...FC, numRuns: RUNS },
    );
    expect(decided).toBeGreaterThan(RUNS / 4);
  });

  it("gives equal transactions or the same error code on mutated transactions", () => {
    let decided = 0;
    fc.assert(
      fc.property(validTx, fc.array(mutation, { minLength: 1, maxLength: 3 }), (fields, mutations) => {
        const bytes = mutations.reduce(mutate, encode(fields));
        if (bytes.length > 0 && expectSameAsGeneric(bytes)) decided++;
      }),
      { ...FC, numRuns: RUNS },
    );
    expect(decided).toBeGreaterThan(0);
  });

  it("gives the same error code for args nested deeper than decode allows", () => {
    for (let depth = 13; depth <= 17; depth++) {
      const tx = encode([TEST_CHAIN_ID, 0, 1n, 0, TRANSFER_KIND, [nested(null, depth)], 0, KEYS.secp256k1.publicKey, filledBytes(64)]);
      expect(expectSameAsGeneric(tx), `depth ${depth}`).toBe(depth <= 14); // args at 1, its items at 2
    }
  });

  it("refuses TOO_LARGE before decoding", () => {
    const bytes = new Uint8Array(MAX_TX_BYTES_ABSOLUTE + 1);
    bytes[0] = 0x99;
    expect(outcome(() => decodeTransaction(bytes))).toEqual({ code: TxErrorCode.TOO_LARGE });
    expectSameAsGeneric(bytes);
  });

  // A valid transfer field by field, each field replaceable by a hand-made encoding.
  const pk = toHex(KEYS.secp256k1.publicKey).slice(2);
  const sig = "ab".repeat(64);
  const fields = {
    chainId: `ac${ascii(TEST_CHAIN_ID)}`,
    nonce: "05",
    fee: `d3${be(5000, 8)}`,
    expiry: "00",
    kind: `b1${ascii(TRANSFER_KIND)}`,
    args: `92 c414${"11".repeat(20)} d3${be(7, 8)}`,
    keyType: "00",
    publicKey: `c421${pk}`,
    signature: `c440${sig}`,
  };
  type Field = keyof typeof fields;
  function txHex(replace: Partial<Record<Field, string>> = {}, header = "99"): Uint8Array {
    return hex(header + Object.entries(fields).map(([k, v]) => replace[k as Field] ?? v).join(""));
  }

  it("decodes the hand-made valid transfer on the fast path", () => {
    expect(decodeTransactionFast(txHex())).toBeDefined();
    expect(expectSameAsGeneric(txHex())).toBe(true);
  });

  const nonCanonical: Array<[string, Uint8Array]> = [
    ["a 9-tuple in array16", txHex({}, "dc0009")],
    ["nonce 5 in uint8", txHex({ nonce: "cc05" })],
    ["nonce 5 in uint16", txHex({ nonce: "cd0005" })],
    ["nonce 5 in uint32", txHex({ nonce: "ce00000005" })],
    ["nonce 200 in uint16", txHex({ nonce: "cd00c8" })],
    ["nonce 70000 in float64", txHex({ nonce: `cb${f64(70000)}` })],
    ["nonce 5 in float32", txHex({ nonce: "ca40a00000" })],
    ["expiry 0 as -0.0", txHex({ expiry: `cb${f64(-0)}` })],
    ["fee 5000 in uint64", txHex({ fee: `cf${be(5000, 8)}` })],
    ["the chain id in str8", txHex({ chainId: `d90c${ascii(TEST_CHAIN_ID)}` })],
    ["the chain id in str16", txHex({ chainId: `da000c${ascii(TEST_CHAIN_ID)}` })],
    ["the kind in str8", txHex({ kind: `d911${ascii(TRANSFER_KIND)}` })],
    ["args in array16", txHex({ args: `dc0002 c414${"11".repeat(20)} d3${be(7, 8)}` })],
    ["an address in bin16", txHex({ args: `92 c50014${"11".repeat(20)} d3${be(7, 8)}` })],
    ["an amount 7n in uint64", txHex({ args: `92 c414${"11".repeat(20)} cf${be(7, 8)}` })],
    ["keyType 0 in uint8", txHex({ keyType: "cc00" })],
    ["the public key in bin16", txHex({ publicKey: `c50021${pk}` })],
    ["the signature in bin16", txHex({ signature: `c50040${sig}` })],
    ["the signature in bin32", txHex({ signature: `c600000040${sig}` })],
    ["an arg -5 in int8", txHex({ args: "91 d0fb" })],
    ["an arg -100 in int16", txHex({ args: "91 d1ff9c" })],
    ["an arg 100 in int8", txHex({ args: "91 d064" })],
    ["an arg 1.0 in float64", txHex({ args: `91 cb${f64(1)}` })],
    ["an arg -2^31 in float64", txHex({ args: `91 cb${f64(-(2 ** 31))}` })],
    ["an arg 2^31 in float64", txHex({ args: `91 cb${f64(2 ** 31)}` })],
    ["an expiry 2^32 - 1 in float64", txHex({ expiry: `cb${f64(2 ** 32 - 1)}` })],
    ["an arg NaN in another bit pattern", txHex({ args: "91 cbfff8000000000000" })],
    ["an arg NaN with a payload", txHex({ args: "91 cb7ff0000000000001" })],
    ["an arg 3-char string in str8", txHex({ args: `91 d903${ascii("abc")}` })],
    ["an arg empty string in str16", txHex({ args: "91 da0000" })],
  ];

  it.each(nonCanonical)("refuses %s as NON_CANONICAL, through the generic path", (_, bytes) => {
    expect(decodeTransactionFast(bytes)).toBeUndefined();
    expect(outcome(() => decodeTransaction(bytes))).toEqual({ code: TxErrorCode.NON_CANONICAL });
    expectSameAsGeneric(bytes);
  });

  const canonicalButUnsure: Array<[string, Uint8Array, boolean]> = [
    ["an arg NaN in its canonical form", txHex({ args: "91 cb7ff8000000000000" }), true],
    ["an arg non-ASCII string", txHex({ args: `91 a2${Buffer.from("é").toString("hex")}` }), true],
    ["a non-ASCII chain id", txHex({ chainId: `a2${Buffer.from("é").toString("hex")}` }), true],
    ["a trailing byte", hex(toHex(txHex()).slice(2) + "00"), false],
    ["a map arg", txHex({ args: "91 80" }), false],
    ["an extension arg", txHex({ args: "91 d40000" }), false],
    ["keyType 3", txHex({ keyType: "03" }), false],
    ["a 32-byte secp256k1 key", txHex({ publicKey: `c420${pk.slice(2)}` }), false],
    ["a negative fee", txHex({ fee: `d3${be(-1, 8)}` }), false],
    ["a string nonce", txHex({ nonce: "a135" }), false],
    ["an 8-tuple", hex("98" + toHex(txHex()).slice(4, -132)), false],
  ];

  it.each(canonicalButUnsure)("leaves %s to the generic path (valid: %s)", (_, bytes, valid) => {
    expect(decodeTransactionFast(bytes)).toBeUndefined();
    const result = outcome(() => decodeTransaction(bytes));
    expect("ok" in result).toBe(valid);
    if (!valid) expect(result).toEqual({ code: TxErrorCode.MALFORMED }); // msgpackr refuses trailing bytes itself
    expectSameAsGeneric(bytes);
  });

  it("reads ints at every boundary, bigints, bins and strings of boundary lengths in args as decode does", () => {
    const values: Encodable[] = [
      ...BOUNDARY_INTS,
      0n, -1n, 2n ** 63n, I64_MIN, U64_MAX,
      ...LENGTHS.map((n) => "s".repeat(n)),
      ...LENGTHS.map((n) => filledBytes(n, 7)),
      ...LENGTHS.map((n) => Array.from({ length: n }, (_, i) => i)),
      null, true, false, 0.5, -1.5, Infinity, -Infinity, 2 ** 32 + 0.5,
    ];
    for (const value of values) {
      const bytes = encode([TEST_CHAIN_ID, 0, 1n, 0, TRANSFER_KIND, [value], 2, KEYS.ed25519.publicKey, filledBytes(64)]);
      expect(expectSameAsGeneric(bytes), String(value)).toBe(true);
    }
  });

  it("keeps the public key length of each key type", () => {
    for (const type of KEY_TYPES) {
      const tx = makeTransfer({ key: KEYS[type] });
      expect(decodeTransactionFast(tx.bytes)?.publicKey.length).toBe(PUBLIC_KEY_LENGTH[type]);
    }
  });
});
