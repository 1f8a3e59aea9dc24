import { signPayload, type KeyPair } from "../crypto/keys.js";
import type { ContractRegistry } from "../contracts/runtime.js";
import type { ValidatorSet } from "../contracts/modules/validators.js";
import { validatorSetHash } from "../contracts/modules/validators.js";
import type { ChainParams } from "../contracts/params.js";
import type { Block } from "../ledger/block.js";
import type { Commit } from "../ledger/commit.js";
import { headerHash, headerPayload, type Header, type UnsignedHeader } from "../ledger/header.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { transition, txRoot, type StateAccess, type Transition } from "./stateTransition.js";

export interface ProposalContext {
  readonly chainId: string;
  readonly params: ChainParams;
  readonly registry: ContractRegistry;
  readonly parent: { readonly header: Header; readonly hash: Uint8Array };
  readonly parentCommit: Commit | null;
  readonly validators: ValidatorSet;
  readonly base: StateAccess;
  readonly key: KeyPair;
  /** Proposed timestamp; raised to parent + 1 ms if the clock is behind. */
  readonly timestamp: number;
}

export interface Proposal {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly transition: Transition;
}

/**
 * Builds and signs a block from candidate transactions (in mempool order). Invalid candidates
 * are left out and reported in `transition.dropped`, so the block is always valid.
 */
export async function produceBlock(ctx: ProposalContext, candidates: readonly SignedTransaction[]): Promise<Proposal> {
  const height = ctx.parent.header.height + 1;
  const timestamp = Math.max(ctx.timestamp, ctx.parent.header.timestamp + 1);
  const env = { chainId: ctx.chainId, height, timestamp, proposer: ctx.key.address, params: ctx.params };
  const result = await transition(ctx.base, env, candidates, ctx.registry, { skipInvalid: true });
  const unsigned: UnsignedHeader = {
    chainId: ctx.chainId,
    height,
    timestamp,
    parentHash: ctx.parent.hash,
    txRoot: txRoot(result.included),
    stateRoot: result.stateRoot,
    receiptsRoot: result.receiptsRoot,
    validatorsHash: validatorSetHash(ctx.validators),
    nextValidatorsHash: result.nextValidatorsHash,
    proposer: ctx.key.address,
    parentCommit: ctx.parentCommit,
  };
  const signature = signPayload("secp256k1", ctx.key.secretKey, headerPayload(unsigned));
  return { block: { header: { ...unsigned, signature }, txs: result.included }, hash: headerHash(unsigned), transition: result };
}
