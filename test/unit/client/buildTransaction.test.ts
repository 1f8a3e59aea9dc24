import { describe, expect, it } from "vitest";
import { buildTransaction, transferArgs, TRANSFER_KIND } from "../../../src/client/buildTransaction.js";
import { toHex } from "../../../src/crypto/bytes.js";
import { generateKeyPair } from "../../../src/crypto/keys.js";
import { KEY_TYPES } from "../../../src/crypto/keyTypes.js";
import { minimumFee } from "../../../src/ledger/fee.js";
import { decodeTransaction } from "../../../src/ledger/transaction.js";

const to = generateKeyPair().address;

describe("buildTransaction", () => {
  it.each(KEY_TYPES)("pays exactly the minimum fee for its size by default (%s)", (type) => {
    const key = generateKeyPair(type);
    const tx = buildTransaction({ chainId: "test", kind: TRANSFER_KIND, args: transferArgs(to, 5n), key, nonce: 3, feePerByte: 7n });
    expect(tx.fee).toBe(minimumFee(tx.bytes.length, 7n));
    expect(tx.fee).toBeGreaterThan(0n);
    expect(tx.keyType).toBe(type);
  });

  it("has the same size whatever the fee (the fee field has a fixed width)", () => {
    const key = generateKeyPair();
    const sizes = [0n, 1n, 300n, 1n << 40n, (1n << 64n) - 1n].map(
      (fee) => buildTransaction({ chainId: "test", kind: TRANSFER_KIND, args: transferArgs(to, 1n), key, nonce: 0, feePerByte: 1n, fee }).bytes.length,
    );
    expect(new Set(sizes).size).toBe(1);
  });

  it("keeps an explicit fee, nonce and expiry, and round-trips through the strict decoder", () => {
    const key = generateKeyPair();
    const tx = buildTransaction({ chainId: "c", kind: TRANSFER_KIND, args: transferArgs(to, 9n), key, nonce: 42, feePerByte: 1n, fee: 12_345n, expiry: 99 });
    const decoded = decodeTransaction(tx.bytes);
    expect({ fee: decoded.fee, nonce: decoded.nonce, expiry: decoded.expiry, chainId: decoded.chainId }).toEqual({ fee: 12_345n, nonce: 42, expiry: 99, chainId: "c" });
    expect(toHex(decoded.hash)).toBe(toHex(tx.hash));
    expect(toHex(decoded.sender)).toBe(toHex(key.address));
    expect(decoded.args).toEqual([to, 9n]);
  });

  it("never expires by default and is free when the fee rate is 0", () => {
    const tx = buildTransaction({ chainId: "c", kind: TRANSFER_KIND, args: transferArgs(to, 1n), key: generateKeyPair(), nonce: 0, feePerByte: 0n });
    expect({ expiry: tx.expiry, fee: tx.fee }).toEqual({ expiry: 0, fee: 0n });
  });

  it("throws RangeError on a negative nonce or expiry and on a fee over u64", () => {
    const base = { chainId: "c", kind: TRANSFER_KIND, args: transferArgs(to, 1n), key: generateKeyPair(), feePerByte: 1n };
    expect(() => buildTransaction({ ...base, nonce: -1 })).toThrow(RangeError);
    expect(() => buildTransaction({ ...base, nonce: 0, expiry: 1.5 })).toThrow(RangeError);
    expect(() => buildTransaction({ ...base, nonce: 0, fee: 1n << 64n })).toThrow(RangeError);
  });
});

describe("transferArgs", () => {
  it("takes an address as bytes or hex", () => {
    expect(transferArgs(to, 10n)).toEqual([to, 10n]);
    expect(transferArgs(toHex(to), 10n)).toEqual([to, 10n]);
  });

  it("refuses addresses that are not 20 bytes (TypeError) and amounts outside u64 (RangeError)", () => {
    expect(() => transferArgs(to.subarray(1), 1n)).toThrow(TypeError);
    expect(() => transferArgs("0x1234", 1n)).toThrow(TypeError);
    expect(() => transferArgs("not hex", 1n)).toThrow(TypeError);
    expect(() => transferArgs(to, -1n)).toThrow(RangeError);
    expect(() => transferArgs(to, 1n << 64n)).toThrow(RangeError);
  });
});
