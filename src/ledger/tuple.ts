import { AttestaError } from "../errors.js";
import { CodecErrorCode, type Encodable } from "./codec.js";

const U64_MAX = (1n << 64n) - 1n;

/** Throws the MALFORMED error a TupleReader throws, for checks it cannot express. */
export function malformed(what: string, field: string, expected: string): never {
  throw new AttestaError(CodecErrorCode.MALFORMED, `${what}.${field}: expected ${expected}`, { field: `${what}.${field}` });
}

/**
 * Reads a decoded tuple field by field with strict types, so a decoder is a list of
 * `r.bytes("parentHash", 32)` calls and every failure is a MALFORMED error naming the field.
 */
export class TupleReader {
  private index = 0;
  private readonly items: readonly Encodable[];

  constructor(value: Encodable, private readonly what: string, length: number) {
    if (!Array.isArray(value) || value.length !== length) malformed(what, "", `a tuple of ${length}`);
    this.items = value as readonly Encodable[];
  }

  private next(): Encodable {
    return this.items[this.index++] as Encodable;
  }

  bytes(field: string, length?: number, maxLength = Infinity): Uint8Array {
    const v = this.next();
    if (!(v instanceof Uint8Array) || (length !== undefined && v.length !== length) || v.length > maxLength) {
      malformed(this.what, field, length !== undefined ? `${length} bytes` : "bytes");
    }
    return v;
  }

  /** A u64 amount: always a bigint on the wire. */
  u64(field: string): bigint {
    const v = this.next();
    if (typeof v !== "bigint" || v < 0n || v > U64_MAX) malformed(this.what, field, "a u64 bigint");
    return v;
  }

  /** A non-negative safe integer (heights, counts, timestamps in ms). */
  uint(field: string): number {
    const v = this.next();
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) malformed(this.what, field, "a non-negative integer");
    return v;
  }

  string(field: string, maxLength = 256): string {
    const v = this.next();
    if (typeof v !== "string" || v.length > maxLength) malformed(this.what, field, `a string of at most ${maxLength}`);
    return v;
  }

  bool(field: string): boolean {
    const v = this.next();
    if (typeof v !== "boolean") malformed(this.what, field, "a boolean");
    return v;
  }

  list(field: string, maxLength = Infinity): readonly Encodable[] {
    const v = this.next();
    if (!Array.isArray(v) || v.length > maxLength) malformed(this.what, field, `a list of at most ${maxLength}`);
    return v as readonly Encodable[];
  }

  /** A nullable nested value, read by `read` when present. */
  optional<T>(field: string, read: (value: Encodable) => T): T | null {
    const v = this.next();
    return v === null ? null : read(v);
  }

  any(): Encodable {
    return this.next();
  }
}
