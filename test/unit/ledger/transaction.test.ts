import { describe, expect, it } from "vitest";
import { addressOf } from "../../../src/crypto/address.js";
import { concatBytes, equalBytes, toHex } from "../../../src/crypto/bytes.js";
import { sha256 } from "../../../src/crypto/hash.js";
import { KEY_TYPES, keyTypeCode, type KeyType } from "../../../src/crypto/keyTypes.js";
import { verifySignature } from "../../../src/crypto/verify.js";
import { isAttestaError } from "../../../src/errors.js";
import { blockHash, decodeBlock, encodeBlock, type Block } from "../../../src/ledger/block.js";
import { CodecErrorCode, decode, encode, type Encodable } from "../../../src/ledger/codec.js";
import { VoteType, votePayload } from "../../../src/ledger/commit.js";
import { decodeHeader, encodeHeader, headerHash, headerPayload, headerTuple, type Header } from "../../../src/ledger/header.js";
import { decodeReceipt, encodeReceipt, receiptHash } from "../../../src/ledger/receipt.js";
import {
  decodeTransaction,
  MAX_TX_BYTES_ABSOLUTE,
  signedTransactionSize,
  signTransaction,
  type SignedTransaction,
} from "../../../src/ledger/transaction.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import {
  filledBytes,
  makeHeader,
  makeHeaderWithCommit,
  makeKey,
  makeReceipt,
  makeTransfer,
  makeUnsignedTx,
  makeValidators,
  TRANSFER_KIND,
  transferArgs,
} from "../../fixtures/builders.js";

// Byte strings compare by type and content only: msgpackr caches a `dataView` property on
// every array it decodes, which a plain deep equality would count as a difference.
expect.addEqualityTesters([
  (a: unknown, b: unknown) =>
    a instanceof Uint8Array && b instanceof Uint8Array
      ? Object.getPrototypeOf(a) === Object.getPrototypeOf(b) && equalBytes(a, b)
      : undefined,
]);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isAttestaError(err)) return err.code;
    throw err;
  }
  return "ok";
}

/** The decoded 9-tuple of a transaction, as a mutable copy. */
function txTuple(tx: SignedTransaction): Encodable[] {
  return [...(decode(tx.bytes) as readonly Encodable[])];
}
function withField(tuple: readonly Encodable[], index: number, value: Encodable): Encodable[] {
  const copy = [...tuple];
  copy[index] = value;
  return copy;
}

describe("transaction sign / decode", () => {
  it.each(KEY_TYPES)("round-trips a signed %s transfer with everything derived from its bytes", (type: KeyType) => {
    const key = makeKey(type);
    const to = makeKey("secp256k1", "recipient").address;
    const tx = makeTransfer({ key, to, amount: 12_345n, nonce: 7, fee: 200n, expiry: 99 });
    const decoded = decodeTransaction(tx.bytes);

    expect(decoded).toEqual(tx);
    expect(decoded).toMatchObject({ chainId: "attesta-test", nonce: 7, fee: 200n, expiry: 99, kind: TRANSFER_KIND, keyType: type });
    expect(decoded.args).toEqual([to, 12_345n]);
    expect(decoded.hash).toEqual(sha256(tx.bytes));
    expect(decoded.sender).toEqual(addressOf(key.publicKey));
    expect(decoded.sender).toEqual(key.address);
    expect(decoded.payload.message).toEqual(encode(["attesta-test", 7, 200n, 99, TRANSFER_KIND, [to, 12_345n], keyTypeCode(type), key.publicKey]));
    expect(decoded.payload.digest).toEqual(sha256(decoded.payload.message));
    expect(verifySignature(type, decoded.publicKey, decoded.signature, decoded.payload)).toBe(true);
    expect(tx.bytes.length).toBe(signedTransactionSize(makeUnsignedTx(key, { nonce: 7, fee: 200n, expiry: 99, args: transferArgs(to, 12_345n) })));
  });

  it("decodes a Buffer without changing it, to the same transaction", () => {
    const tx = makeTransfer();
    const buffer = Buffer.from(tx.bytes);
    const decoded = decodeTransaction(buffer);
    expect(toHex(buffer)).toBe(toHex(tx.bytes));
    expect(decoded.hash).toEqual(tx.hash);
    // What the signature covers, derived from the Buffer's bytes as from the signer's.
    expect(decoded.payload.message).toEqual(tx.payload.message);
    expect(decoded.payload.digest).toEqual(tx.payload.digest);
    for (const bytes of [decoded.publicKey, decoded.signature, decoded.args[0] as Uint8Array, decoded.payload.message]) {
      expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    }
  });

  it("signs a different hash and signature for any changed field", () => {
    const key = makeKey("secp256k1", "sender");
    const base = makeTransfer({ key, nonce: 1 });
    for (const other of [makeTransfer({ key, nonce: 2 }), makeTransfer({ key, nonce: 1, fee: 1_001n }), makeTransfer({ key, nonce: 1, chainId: "other" })]) {
      expect(other.hash).not.toEqual(base.hash);
      expect(verifySignature("secp256k1", key.publicKey, base.signature, other.payload)).toBe(false);
    }
  });

  it("refuses to sign with a key of another type (a caller's bug)", () => {
    const key = makeKey("p256");
    expect(() => signTransaction({ ...makeUnsignedTx(key), keyType: "secp256k1" }, key)).toThrow(TypeError);
  });
});

describe("decodeTransaction refusals", () => {
  const tx = makeTransfer({ key: makeKey("secp256k1", "sender") });
  const tuple = txTuple(tx);

  it("MALFORMED: a tuple of the wrong length, or no tuple", () => {
    for (const value of [tuple.slice(0, 8), [...tuple, null], [], "tx", tx.bytes, null]) {
      expect(codeOf(() => decodeTransaction(encode(value)))).toBe(TxErrorCode.MALFORMED);
    }
  });

  // [index, wrong value] for each field: chainId, nonce, fee, expiry, kind, args, keyType, publicKey, signature.
  const WRONG_FIELDS: [string, number, Encodable][] = [
    ["chainId as bytes", 0, filledBytes(4)],
    ["chainId over 64 characters", 0, "c".repeat(65)],
    ["negative nonce", 1, -1],
    ["fractional nonce", 1, 1.5],
    ["nonce as bigint", 1, 1n],
    ["nonce above 2^53", 1, 2 ** 53],
    ["fee as number", 2, 1000],
    ["negative fee", 2, -1n],
    ["expiry as string", 3, "0"],
    ["kind over 64 characters", 4, "k".repeat(65)],
    ["args not a list", 5, filledBytes(20)],
    ["unknown keyType 3", 6, 3],
    ["keyType as string", 6, "secp256k1"],
    ["publicKey of 32 bytes", 7, filledBytes(32, 2)],
    ["publicKey of 65 bytes", 7, filledBytes(65, 4)],
    ["publicKey as string", 7, "key"],
    ["signature of 63 bytes", 8, filledBytes(63)],
    ["signature of 65 bytes", 8, filledBytes(65)],
    ["signature as null", 8, null],
  ];
  it.each(WRONG_FIELDS)("MALFORMED: %s", (_name, index, value) => {
    expect(codeOf(() => decodeTransaction(encode(withField(tuple, index, value))))).toBe(TxErrorCode.MALFORMED);
  });

  it("MALFORMED: a public key of another type's length (33-byte key with the ed25519 code)", () => {
    expect(codeOf(() => decodeTransaction(encode(withField(tuple, 6, keyTypeCode("ed25519")))))).toBe(TxErrorCode.MALFORMED);
  });

  it("TOO_LARGE: over 1 MiB, before any decoding", () => {
    expect(codeOf(() => decodeTransaction(new Uint8Array(MAX_TX_BYTES_ABSOLUTE + 1)))).toBe(TxErrorCode.TOO_LARGE);
    const key = makeKey("ed25519", "big");
    const big = signTransaction(makeUnsignedTx(key, { kind: "readings.submit", args: [new Uint8Array(MAX_TX_BYTES_ABSOLUTE)] }), key);
    expect(codeOf(() => decodeTransaction(big.bytes))).toBe(TxErrorCode.TOO_LARGE);
  });

  it("NON_CANONICAL: the same transaction re-encoded with wider headers or integers", () => {
    const bytes = tx.bytes;
    const feeAt = 1 + encode(tuple[0] as Encodable).length + encode(tuple[1] as Encodable).length;
    expect(bytes[feeAt]).toBe(0xd3); // the fee: a u64 bigint as int64
    const variants = [
      concatBytes(Uint8Array.of(0xdc, 0x00, 0x09), bytes.subarray(1)), // array16 for the 9-tuple
      Uint8Array.from(bytes).fill(0xcf, feeAt, feeAt + 1), // the fee as uint64
      concatBytes(bytes.subarray(0, feeAt - 1), Uint8Array.of(0xcc, bytes[feeAt - 1] ?? 0), bytes.subarray(feeAt)), // nonce as uint8
    ];
    for (const variant of variants) {
      expect(codeOf(() => decode(variant))).toBe(CodecErrorCode.NON_CANONICAL);
      expect(codeOf(() => decodeTransaction(variant))).toBe(TxErrorCode.NON_CANONICAL);
    }
  });

  it("MALFORMED: trailing or missing bytes", () => {
    expect(codeOf(() => decodeTransaction(concatBytes(tx.bytes, Uint8Array.of(0))))).toBe(TxErrorCode.MALFORMED);
    expect(codeOf(() => decodeTransaction(tx.bytes.subarray(0, tx.bytes.length - 1)))).toBe(TxErrorCode.MALFORMED);
  });
});

describe("header encode / decode", () => {
  const validators = makeValidators(4);

  it("round-trips a header without a parent commit", () => {
    const header = makeHeader({ height: 1 }, validators[0]);
    const decoded = decodeHeader(encodeHeader(header));
    expect(decoded).toEqual(header);
    expect(decoded.parentCommit).toBeNull();
    expect(headerHash(decoded)).toEqual(headerHash(header));
    expect(verifySignature("secp256k1", validators[0]!.publicKey, decoded.signature, headerPayload(decoded))).toBe(true);
  });

  it("round-trips a header with a parent commit whose signatures verify", () => {
    const header = makeHeaderWithCommit(validators, { height: 5 });
    const bytes = encodeHeader(header);
    const decoded = decodeHeader(bytes);
    expect(decoded).toEqual(header);
    expect(encodeHeader(decoded)).toEqual(bytes);
    const commit = decoded.parentCommit!;
    expect(commit.height).toBe(4);
    expect(commit.blockHash).toEqual(decoded.parentHash);
    const payload = votePayload("attesta-test", VoteType.PRECOMMIT, commit.height, commit.round, commit.blockHash);
    for (const { index, signature } of commit.signatures) {
      expect(verifySignature("secp256k1", validators[index]!.publicKey, signature, payload)).toBe(true);
    }
  });

  it("hashes the header without its signature: the hash is the digest the proposer signs", () => {
    const header = makeHeader();
    expect(headerHash(header)).toEqual(headerPayload(header).digest);
    const resigned: Header = { ...header, signature: new Uint8Array(64) };
    expect(headerHash(resigned)).toEqual(headerHash(header));
    expect(headerHash({ ...header, height: header.height + 1 })).not.toEqual(headerHash(header));
  });

  it("round-trips a genesis header with an empty signature", () => {
    const genesis = makeHeader({ height: 0, signature: new Uint8Array(0) });
    expect(decodeHeader(encodeHeader(genesis))).toEqual(genesis);
  });

  it("MALFORMED: wrong tuple length, hash lengths, signature length, commit shape", () => {
    const tuple = headerTuple(makeHeaderWithCommit(validators));
    const variants: Encodable[][] = [
      tuple.slice(0, 11),
      [...tuple, null],
      withField(tuple, 3, filledBytes(31)), // parentHash
      withField(tuple, 9, filledBytes(32)), // proposer is an address
      withField(tuple, 10, [1, 0, filledBytes(32)]), // commit of 3 fields
      withField(tuple, 11, filledBytes(65)), // signature
      withField(tuple, 1, -1), // height
    ];
    for (const value of variants) expect(codeOf(() => decodeHeader(encode(value)))).toBe(CodecErrorCode.MALFORMED);
  });
});

describe("block encode / decode", () => {
  const validators = makeValidators(4);
  const txs = KEY_TYPES.map((type, i) => makeTransfer({ key: makeKey(type, "block"), nonce: i }));

  it.each([
    ["without a parent commit", makeHeader({ height: 1 }, validators[0])],
    ["with a parent commit", makeHeaderWithCommit(validators)],
  ])("round-trips a block %s", (_name, header) => {
    const block: Block = { header, txs };
    const bytes = encodeBlock(block);
    const decoded = decodeBlock(bytes);
    expect(decoded).toEqual(block);
    expect(encodeBlock(decoded)).toEqual(bytes);
    expect(blockHash(decoded)).toEqual(headerHash(header));
    expect(decoded.txs.map((t) => t.hash)).toEqual(txs.map((t) => t.hash));
  });

  it("round-trips an empty block", () => {
    const block: Block = { header: makeHeader(), txs: [] };
    expect(decodeBlock(encodeBlock(block))).toEqual(block);
  });

  it("refuses a block whose transaction is not bytes (MALFORMED) or not canonical (NON_CANONICAL)", () => {
    const header = headerTuple(makeHeader());
    expect(codeOf(() => decodeBlock(encode([header, ["not bytes"]])))).toBe(CodecErrorCode.MALFORMED);
    expect(codeOf(() => decodeBlock(encode([header, [filledBytes(10)]])))).toBe(CodecErrorCode.MALFORMED);
    const tx = txs[0]!.bytes;
    const wide = concatBytes(Uint8Array.of(0xdc, 0x00, 0x09), tx.subarray(1));
    expect(codeOf(() => decodeBlock(encode([header, [wide]])))).toBe(TxErrorCode.NON_CANONICAL);
  });
});

describe("receipt encode / decode", () => {
  it.each([
    ["ok with events", makeReceipt()],
    ["failed without events", makeReceipt({ status: "failed", code: "INSUFFICIENT_FUNDS", events: [], fee: 0n })],
    ["ok with several events", makeReceipt({ events: [{ type: "a", attributes: [] }, { type: "b", attributes: [["k", null]] }] })],
  ])("round-trips a receipt %s", (_name, receipt) => {
    const bytes = encodeReceipt(receipt);
    const decoded = decodeReceipt(bytes);
    expect(decoded).toEqual(receipt);
    expect(encodeReceipt(decoded)).toEqual(bytes);
    expect(receiptHash(decoded)).toEqual(sha256(bytes));
  });

  it("MALFORMED: wrong tuple length or field types", () => {
    for (const value of [[0, "", []], [0, "", [], 1], [0, 5, [], 1n], [0, "", [["event"]], 1n]] as Encodable[]) {
      expect(codeOf(() => decodeReceipt(encode(value)))).toBe(CodecErrorCode.MALFORMED);
    }
  });
});
