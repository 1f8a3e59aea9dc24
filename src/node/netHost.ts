import type { Encodable } from "../ledger/codec.js";
import { commitTuple } from "../ledger/commit.js";
import { encodeHeader } from "../ledger/header.js";
import { merkleProof, merkleProofTuple } from "../ledger/merkle.js";
import { stateProofTuple, verifyStateProof } from "../ledger/smt/index.js";
import type { ChainStore } from "../ledger/storage/chainStore.js";
import { TupleReader } from "../ledger/tuple.js";
import type { MessageVerdict } from "../consensus/transport.js";
import { NetError, NetErrorCode } from "../net/frames.js";
import type { NetworkHost } from "../net/network.js";
import { NetLimits } from "../net/protocols.js";
import type { Chain } from "./chain.js";

export interface NetHostDeps {
  readonly chain: Chain;
  readonly store: ChainStore;
  readonly admitGossip: (txs: readonly Uint8Array[]) => Promise<MessageVerdict>;
}

/** `[from, count]`; MALFORMED (the peer's BAD_REQUEST) unless it is one, BAD_REQUEST past the cap. */
function range(body: Encodable, what: string, max: number): { from: number; count: number } {
  const r = new TupleReader(body, what, 2);
  const from = r.uint("from");
  const count = r.uint("count");
  if (count === 0 || count > max) throw new NetError(NetErrorCode.BAD_REQUEST, `${what}: count must be 1..${max}`);
  return { from, count };
}

/** Attempts at a state proof while the head moves under it. */
const PROOF_ATTEMPTS = 3;

/**
 * The node's side of the network: its chain's identity and position for the handshake,
 * admission of gossiped transactions, and the data the request/response protocols serve
 * (finalized blocks and headers with their certificates, state and inclusion proofs).
 */
export function chainNetworkHost(deps: NetHostDeps): NetworkHost {
  const { chain, store } = deps;
  return {
    chainId: chain.chainId,
    genesisHash: chain.genesisHash,
    status: () => ({ height: chain.head.header.height, finalizedHeight: chain.finalizedHeight }),
    admitGossip: deps.admitGossip,

    async blocks(body) {
      const { from, count } = range(body, "blocks request", NetLimits.maxBlocksPerRequest);
      const items: Encodable[] = [];
      let bytes = 0;
      const last = Math.min(from + count - 1, chain.finalizedHeight);
      for (let h = Math.max(1, from); h <= last && bytes < NetLimits.rangeResponseBytes; h++) {
        const [block, commit] = await Promise.all([store.blockBytes(h), store.commit(h)]);
        if (block === undefined || commit === undefined) break;
        items.push([block, commitTuple(commit)]);
        bytes += block.length;
      }
      return items;
    },

    async headers(body) {
      const { from, count } = range(body, "headers request", NetLimits.maxHeadersPerRequest);
      const items: Encodable[] = [];
      const last = Math.min(from + count - 1, chain.finalizedHeight);
      for (let h = Math.max(1, from); h <= last; h++) {
        const [block, commit] = await Promise.all([store.block(h), store.commit(h)]);
        if (block === undefined || commit === undefined) break;
        items.push([encodeHeader(block.header), commitTuple(commit)]);
      }
      return items;
    },

    /** `[key]` → `[height, header, commit, value | null, proof]`: the value under `key` proved against the latest finalized header. */
    async stateProof(body) {
      const key = new TupleReader(body, "state proof request", 1).bytes("key", undefined, 256);
      for (let attempt = 0; attempt < PROOF_ATTEMPTS; attempt++) {
        const height = chain.finalizedHeight;
        const [block, commit, value] = await Promise.all([store.block(height), height === 0 ? null : store.commit(height), store.stateValue(key)]);
        if (block === undefined || commit === undefined) continue;
        const proof = await chain.tree.prove(block.header.stateRoot, key);
        // The value is the head's: when a block not yet final changed it, ask again.
        if (!verifyStateProof(block.header.stateRoot, key, value ?? null, proof)) continue;
        return [height, encodeHeader(block.header), commit === null ? null : commitTuple(commit), value ?? null, stateProofTuple(proof)];
      }
      throw new NetError(NetErrorCode.NOT_FOUND, "the value changed in a block not final yet; ask again");
    },

    /** `[hash]` → `[height, header, commit, index, tx, proof]`: a transaction proved against its block's transaction root. */
    async inclusion(body) {
      const hash = new TupleReader(body, "inclusion request", 1).bytes("hash", 32);
      const location = await store.txLocation(hash);
      if (location === undefined || location.height > chain.finalizedHeight) throw new NetError(NetErrorCode.NOT_FOUND, "no such final transaction");
      const [block, commit] = await Promise.all([store.block(location.height), store.commit(location.height)]);
      const tx = block?.txs[location.index];
      if (block === undefined || commit === undefined || tx === undefined) throw new NetError(NetErrorCode.NOT_FOUND, "no such final transaction");
      const proof = merkleProof(
        block.txs.map((t) => t.hash),
        location.index,
      );
      return [location.height, encodeHeader(block.header), commitTuple(commit), location.index, tx.bytes, merkleProofTuple(proof)];
    },
  };
}
