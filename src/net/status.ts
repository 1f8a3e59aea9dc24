import type { Encodable } from "../ledger/codec.js";
import { TupleReader } from "../ledger/tuple.js";

/** The status handshake's message: which chain a node follows, and how far it is. */
export interface ChainStatusHello {
  readonly chainId: string;
  readonly genesisHash: Uint8Array;
  readonly height: number;
  readonly finalizedHeight: number;
}

export function statusTuple(s: ChainStatusHello): Encodable {
  return [s.chainId, s.genesisHash, s.height, s.finalizedHeight];
}

/** Throws MALFORMED unless `value` is a status tuple. */
export function readStatus(value: Encodable): ChainStatusHello {
  const r = new TupleReader(value, "status", 4);
  return { chainId: r.string("chainId", 64), genesisHash: r.bytes("genesisHash", 32), height: r.uint("height"), finalizedHeight: r.uint("finalizedHeight") };
}
