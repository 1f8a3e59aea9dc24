/**
 * Protocol ids and gossip topics. Each carries the chain id, so nodes of different chains never
 * speak the same protocol by accident (and a status handshake refuses them anyway).
 */
export interface ProtocolIds {
  /**
   * Handshake: chain id, genesis hash, height, finalized height. The one id without the chain
   * id, so a node of another chain can be told so and cut off.
   */
  readonly status: string;
  /** Finalized blocks by height range, with their commit certificates (sync). */
  readonly blocks: string;
  /** Headers by height range, with their certificates (light nodes). */
  readonly headers: string;
  /** A state value and its proof against the latest finalized header. */
  readonly stateProof: string;
  /** A transaction and its inclusion proof against its block's header. */
  readonly inclusion: string;
  /** Consensus messages for one peer (catch-up requests and decisions). */
  readonly direct: string;
}

export interface Topics {
  /** Batches of signed transactions. */
  readonly txs: string;
  /** Proposals and votes. */
  readonly consensus: string;
  /** Evidence of equivocation. */
  readonly evidence: string;
}

export function protocolIds(chainId: string): ProtocolIds {
  const base = `/attesta/${chainId}`;
  return {
    status: "/attesta/status/1",
    blocks: `${base}/blocks/1`,
    headers: `${base}/headers/1`,
    stateProof: `${base}/state-proof/1`,
    inclusion: `${base}/inclusion/1`,
    direct: `${base}/consensus-direct/1`,
  };
}

export function topics(chainId: string): Topics {
  const base = `/attesta/${chainId}`;
  return { txs: `${base}/txs/1`, consensus: `${base}/consensus/1`, evidence: `${base}/evidence/1` };
}

/** Size caps, in bytes and items. */
export const NetLimits = {
  /** Any request (they are small: a range, a key, a hash). */
  maxRequestBytes: 4 * 1024,
  /** A response frame (a range of blocks stops adding blocks past `rangeResponseBytes`). */
  maxResponseBytes: 32 * 1024 * 1024,
  rangeResponseBytes: 4 * 1024 * 1024,
  /** Blocks and headers per range request. */
  maxBlocksPerRequest: 64,
  maxHeadersPerRequest: 512,
  /** A gossip message (a transaction batch, a proposal with its block). */
  maxGossipBytes: 10 * 1024 * 1024,
  /** Transactions in one gossiped batch. */
  maxBatchTxs: 2_000,
} as const;
