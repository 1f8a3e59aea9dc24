import type { KeyPair } from "../crypto/keys.js";
import type { ConsensusHost } from "../consensus/engine.js";
import type { Evidence } from "../ledger/consensusMessages.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import type { Chain } from "./chain.js";

export interface ChainHostDeps {
  readonly chain: Chain;
  /** The validator key that signs the blocks it proposes (none for a follower). */
  readonly key: KeyPair | null;
  /** Transactions for the next block, in fee order, and how many wait. */
  readonly candidates: () => readonly SignedTransaction[];
  readonly pending: () => number;
  readonly submitEvidence: (evidence: Evidence) => void;
  readonly now?: () => number;
}

/** The consensus engine's view of a node's chain and mempool. */
export function chainConsensusHost(deps: ChainHostDeps): ConsensusHost {
  const { chain } = deps;
  return {
    chainId: chain.chainId,
    head: () => ({ height: chain.head.header.height, hash: chain.head.hash, timestamp: chain.head.header.timestamp }),
    validators: () => chain.validators,
    jailed: () => chain.jailed,
    pending: deps.pending,
    buildBlock: (timestamp) => {
      if (deps.key === null) return Promise.reject(new Error("a follower does not propose"));
      return chain.buildProposal(deps.key, deps.candidates(), timestamp);
    },
    validateBlock: async (block) => {
      await chain.validateProposal(block);
    },
    commitDecided: async (block, commit) => {
      await chain.commitDecided(block, commit);
    },
    decided: (height) => chain.decided(height),
    submitEvidence: deps.submitEvidence,
    now: deps.now ?? Date.now,
  };
}
