import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8 } from "../../../src/crypto/bytes.js";

const encoder = new TextEncoder();

describe("utf8", () => {
  it("gives TextEncoder's bytes for short ASCII, non-ASCII, lone surrogates and long text", () => {
    for (const text of ["", "a", "station-s42", "é", "aé", "日本", "😀", "\ud800", "x".repeat(64), "x".repeat(65), `${"x".repeat(63)}é`]) {
      expect([...utf8(text)], JSON.stringify(text)).toEqual([...encoder.encode(text)]);
    }
  });

  it("gives TextEncoder's bytes for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), (text) => {
        expect([...utf8(text)]).toEqual([...encoder.encode(text)]);
      }),
    );
  });
});
