import { addressOf } from "../crypto/address.js";
import { bytesOfBinary, HASH_LENGTH, sha256Binary } from "../crypto/hash.js";
import { KEY_TYPES, keyTypeCode, keyTypeFromCode, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from "../crypto/keyTypes.js";
import type { KeyPair } from "../crypto/keys.js";
import { signPayload } from "../crypto/keys.js";
import { HashedOnRead, signedPayload, type SignedPayload } from "../crypto/payload.js";
import { AttestaError } from "../errors.js";
import { decode, encode, type Encodable } from "./codec.js";
import { TupleReader } from "./tuple.js";
import { decodeTransactionFast, MAX_CHAIN_ID_LENGTH, MAX_KIND_LENGTH } from "./txDecode.js";
import type { Transaction, UnsignedTransaction } from "./txTypes.js";
import { TxErrorCode } from "./txErrors.js";

/** Hard limit before any decoding; the chain's own (lower) limit is a genesis parameter. */
export const MAX_TX_BYTES_ABSOLUTE = 1 << 20;
export { MAX_KIND_LENGTH };
export type { Transaction, UnsignedTransaction };

/** A transaction with everything derived from its bytes, computed once at decode. */
export interface SignedTransaction extends Transaction {
  readonly hash: Uint8Array;
  /** `hash` as a binary (latin1) string: the transaction's key in maps and caches. */
  readonly id: string;
  readonly sender: Uint8Array;
  readonly bytes: Uint8Array;
  readonly payload: SignedPayload;
}

function unsignedTuple(tx: UnsignedTransaction): Encodable[] {
  return [tx.chainId, tx.nonce, tx.fee, tx.expiry, tx.kind, tx.args, keyTypeCode(tx.keyType), tx.publicKey];
}

/**
 * The signed message of canonical transaction bytes, without re-encoding: the 9-tuple minus
 * its last field is the 8-tuple header (0x98) followed by the same field bytes, and the
 * signature is always its final 66 bytes (bin8 header 0xc4 0x40, then 64 bytes).
 */
function unsignedBytesOf(bytes: Uint8Array): Uint8Array {
  // A copy, never a view (Buffer's slice is one): the header byte is rewritten below.
  const message = new Uint8Array(bytes.subarray(0, bytes.length - 2 - SIGNATURE_LENGTH));
  message[0] = 0x98;
  return message;
}

/**
 * What a transaction's signature covers, derived from its canonical bytes when read (each time:
 * read it once) rather than kept: a pending transaction is verified once, at admission (its
 * hash then stays in the verified cache), yet sits in the mempool until a block takes it, and a
 * kept message and digest were about a fifth of the heap it held there. P-256 verification
 * never reads the digest.
 */
class TxPayload extends HashedOnRead {
  constructor(private readonly bytes: Uint8Array) {
    super();
  }

  get message(): Uint8Array {
    return unsignedBytesOf(this.bytes);
  }
}

function derive(tx: Transaction, bytes: Uint8Array): SignedTransaction {
  const id = sha256Binary(bytes);
  // One literal of fixed shape (no spread): every transaction object shares one hidden class.
  return {
    chainId: tx.chainId,
    nonce: tx.nonce,
    fee: tx.fee,
    expiry: tx.expiry,
    kind: tx.kind,
    args: tx.args,
    keyType: tx.keyType,
    publicKey: tx.publicKey,
    signature: tx.signature,
    hash: bytesOfBinary(id, HASH_LENGTH),
    id,
    sender: addressOf(tx.publicKey),
    bytes,
    payload: new TxPayload(bytes),
  };
}

/**
 * The encoded size the transaction will have once signed, without signing it: the fee and
 * signature fields have fixed widths, so a signer can choose a size-based fee first.
 */
export function signedTransactionSize(tx: UnsignedTransaction): number {
  return encode(unsignedTuple(tx)).length + 2 + SIGNATURE_LENGTH;
}

export function signTransaction(tx: UnsignedTransaction, key: KeyPair): SignedTransaction {
  if (key.type !== tx.keyType) throw new TypeError("key type does not match the transaction's keyType");
  const payload = signedPayload(encode(unsignedTuple(tx)));
  const signature = signPayload(key.type, key.secretKey, payload);
  const bytes = encode([...unsignedTuple(tx), signature]);
  return derive({ ...tx, signature }, bytes);
}

/**
 * Strictly decodes a transaction: size, canonical msgpack, field types and lengths. It does
 * not check the signature, chain id or expiry (admission and block import do, with codes).
 * The common canonical forms are read by `decodeTransactionFast`; anything it is not certain
 * of goes through `decode` and a TupleReader, which accept and refuse as they always have.
 */
export function decodeTransaction(bytes: Uint8Array): SignedTransaction {
  checkSize(bytes);
  return derive(decodeTransactionFast(bytes) ?? fieldsOf(decode(bytes)), bytes);
}

/** `decodeTransaction` through `decode` and a TupleReader alone: the reference its fast path is tested against. */
export function decodeTransactionGeneric(bytes: Uint8Array): SignedTransaction {
  checkSize(bytes);
  return derive(fieldsOf(decode(bytes)), bytes);
}

function checkSize(bytes: Uint8Array): void {
  if (bytes.length > MAX_TX_BYTES_ABSOLUTE) {
    throw new AttestaError(TxErrorCode.TOO_LARGE, "transaction too large", { size: bytes.length });
  }
}

function fieldsOf(value: Encodable): Transaction {
  const r = new TupleReader(value, "tx", 9);
  const chainId = r.string("chainId", MAX_CHAIN_ID_LENGTH);
  const nonce = r.uint("nonce");
  const fee = r.u64("fee");
  const expiry = r.uint("expiry");
  const kind = r.string("kind", MAX_KIND_LENGTH);
  const args = r.list("args");
  const keyType = keyTypeFromCode(r.uint("keyType"));
  if (keyType === undefined) throw new AttestaError(TxErrorCode.MALFORMED, `tx.keyType: expected 0..${KEY_TYPES.length - 1}`);
  const publicKey = r.bytes("publicKey", PUBLIC_KEY_LENGTH[keyType]);
  const signature = r.bytes("signature", SIGNATURE_LENGTH);
  return { chainId, nonce, fee, expiry, kind, args, keyType, publicKey, signature };
}
