import { AttestaError } from "../errors.js";
import { CodecErrorCode, decode, encode } from "./codec.js";
import { decodeHeader, encodeHeader, headerHash, readHeader, headerTuple, type Header } from "./header.js";
import { decodeTransaction, type SignedTransaction } from "./transaction.js";
import { TupleReader } from "./tuple.js";

/** A block: its header and its transactions (each kept as its own canonical bytes). */
export interface Block {
  readonly header: Header;
  readonly txs: readonly SignedTransaction[];
}

export const MAX_BLOCK_TXS = 100_000;

export function blockHash(block: Block): Uint8Array {
  return headerHash(block.header);
}

export function encodeBlock(block: Block): Uint8Array {
  return encode([headerTuple(block.header), block.txs.map((tx) => tx.bytes)]);
}

export function decodeBlock(bytes: Uint8Array): Block {
  const r = new TupleReader(decode(bytes), "block", 2);
  const header = readHeader(r.any());
  const txs = r.list("txs", MAX_BLOCK_TXS).map((item) => {
    if (!(item instanceof Uint8Array)) throw new AttestaError(CodecErrorCode.MALFORMED, "block.txs: expected bytes");
    return decodeTransaction(item);
  });
  return { header, txs };
}

export { decodeHeader, encodeHeader };
