import { sha256 } from "../crypto/hash.js";
import { AttestaError } from "../errors.js";
import { CodecErrorCode, decode, encode, type Encodable } from "./codec.js";
import { TupleReader } from "./tuple.js";

/** Something a transaction did, for receipts, the API and subscribers. Attributes keep the emitter's order. */
export interface ChainEvent {
  readonly type: string;
  readonly attributes: readonly (readonly [string, Encodable])[];
}

export interface Receipt {
  readonly status: "ok" | "failed";
  /** The error code of a failed transaction; empty when ok. */
  readonly code: string;
  readonly events: readonly ChainEvent[];
  readonly fee: bigint;
}

export function receiptTuple(r: Receipt): Encodable[] {
  return [r.status === "ok" ? 0 : 1, r.code, r.events.map((e) => [e.type, e.attributes.map(([k, v]) => [k, v])]), r.fee];
}

// Receipts are immutable once built; each is encoded once, for its hash and for storage.
const encodings = new WeakMap<Receipt, Uint8Array>();

export function encodeReceipt(r: Receipt): Uint8Array {
  let bytes = encodings.get(r);
  if (bytes === undefined) {
    bytes = encode(receiptTuple(r));
    encodings.set(r, bytes);
  }
  return bytes;
}

export function receiptHash(r: Receipt): Uint8Array {
  return sha256(encodeReceipt(r));
}

export function decodeReceipt(bytes: Uint8Array): Receipt {
  const r = new TupleReader(decode(bytes), "receipt", 4);
  const statusCode = r.uint("status");
  if (statusCode > 1) throw new AttestaError(CodecErrorCode.MALFORMED, "receipt.status: expected 0 or 1", { field: "receipt.status" });
  const status = statusCode === 0 ? "ok" : "failed";
  const code = r.string("code", 64);
  const events = r.list("events").map((e) => {
    const er = new TupleReader(e, "event", 2);
    const type = er.string("type", 64);
    const attributes = er.list("attributes").map((a) => {
      const ar = new TupleReader(a, "attribute", 2);
      return [ar.string("key", 64), ar.any()] as const;
    });
    return { type, attributes };
  });
  return { status, code, events, fee: r.u64("fee") };
}
