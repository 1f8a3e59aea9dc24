import { ADDRESS_LENGTH } from "../crypto/address.js";
import { HASH_LENGTH, sha256 } from "../crypto/hash.js";
import { SIGNATURE_LENGTH } from "../crypto/keyTypes.js";
import { signedPayload, type SignedPayload } from "../crypto/payload.js";
import { decode, encode, type Encodable } from "./codec.js";
import { commitTuple, readCommit, type Commit } from "./commit.js";
import { TupleReader } from "./tuple.js";

/**
 * A block header. The block hash is SHA-256 of the header without its signature; the
 * proposer signs that hash. `parentCommit` certifies the parent (null at heights 0 and 1).
 */
export interface Header {
  readonly chainId: string;
  readonly height: number;
  /** Milliseconds since the Unix epoch, as proposed. */
  readonly timestamp: number;
  readonly parentHash: Uint8Array;
  readonly txRoot: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly receiptsRoot: Uint8Array;
  readonly validatorsHash: Uint8Array;
  readonly nextValidatorsHash: Uint8Array;
  readonly proposer: Uint8Array;
  readonly parentCommit: Commit | null;
  /** Proposer's signature over the header payload (empty only in the genesis header). */
  readonly signature: Uint8Array;
}

export type UnsignedHeader = Omit<Header, "signature">;

function unsignedTuple(h: UnsignedHeader): Encodable[] {
  return [
    h.chainId, h.height, h.timestamp, h.parentHash, h.txRoot, h.stateRoot, h.receiptsRoot,
    h.validatorsHash, h.nextValidatorsHash, h.proposer, h.parentCommit === null ? null : commitTuple(h.parentCommit),
  ];
}

/** What the proposer signs; its digest is the block hash. */
export function headerPayload(h: UnsignedHeader): SignedPayload {
  return signedPayload(encode(unsignedTuple(h)));
}

export function headerHash(h: UnsignedHeader): Uint8Array {
  return sha256(encode(unsignedTuple(h)));
}

export function headerTuple(h: Header): Encodable[] {
  return [...unsignedTuple(h), h.signature];
}

export function encodeHeader(h: Header): Uint8Array {
  return encode(headerTuple(h));
}

export function readHeader(value: Encodable): Header {
  const r = new TupleReader(value, "header", 12);
  return {
    chainId: r.string("chainId", 64),
    height: r.uint("height"),
    timestamp: r.uint("timestamp"),
    parentHash: r.bytes("parentHash", HASH_LENGTH),
    txRoot: r.bytes("txRoot", HASH_LENGTH),
    stateRoot: r.bytes("stateRoot", HASH_LENGTH),
    receiptsRoot: r.bytes("receiptsRoot", HASH_LENGTH),
    validatorsHash: r.bytes("validatorsHash", HASH_LENGTH),
    nextValidatorsHash: r.bytes("nextValidatorsHash", HASH_LENGTH),
    proposer: r.bytes("proposer", ADDRESS_LENGTH),
    parentCommit: r.optional("parentCommit", readCommit),
    signature: r.bytes("signature", undefined, SIGNATURE_LENGTH),
  };
}

export function decodeHeader(bytes: Uint8Array): Header {
  return readHeader(decode(bytes));
}
