import { equalBytes } from "../crypto/bytes.js";
import { verifySignature } from "../crypto/verify.js";
import { BlockErrorCode } from "../contracts/errors.js";
import type { ValidatorSet } from "../contracts/modules/validators.js";
import { validatorSetHash } from "../contracts/modules/validators.js";
import type { ChainParams } from "../contracts/params.js";
import type { ContractRegistry } from "../contracts/runtime.js";
import { AttestaError } from "../errors.js";
import type { Block } from "../ledger/block.js";
import type { Commit } from "../ledger/commit.js";
import { headerHash, headerPayload, type Header } from "../ledger/header.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import { transition, txRoot, type StateAccess, type Transition } from "./stateTransition.js";
import { verifyCommit } from "./verifyCommit.js";

export interface ImportContext {
  readonly chainId: string;
  readonly params: ChainParams;
  readonly registry: ContractRegistry;
  /** The block this one must extend. */
  readonly parent: { readonly header: Header; readonly hash: Uint8Array };
  /** The set in force at the new height, and the one that committed the parent. */
  readonly validators: ValidatorSet;
  readonly parentValidators: ValidatorSet;
  readonly base: StateAccess;
  /** The local clock (ms) and how far ahead of it a block may be. */
  readonly now: number;
  readonly maxClockSkewMs: number;
  /** Checks a transaction's signature (the node caches transactions verified at admission). */
  readonly verifyTx: (tx: SignedTransaction) => boolean;
}

export interface VerifiedBlock {
  readonly hash: Uint8Array;
  readonly transition: Transition;
}

function reject(code: BlockErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AttestaError(code, message, details);
}

/**
 * Validates a block completely before anything is written: header against parent, proposer
 * and its signature, the parent's commit certificate, the transaction root, every transaction's
 * signature, then re-execution and the state root, receipts root and next validators hash.
 * `commit`, when known, is this block's own certificate. The header's proposer is the validator
 * that built the block; a later round may re-propose it (Tendermint's valid value), so which
 * round's proposer sent it is checked by consensus, not here.
 * Throws AttestaError with a BlockErrorCode.
 */
export async function verifyBlock(block: Block, ctx: ImportContext, commit?: Commit): Promise<VerifiedBlock> {
  const h = block.header;
  const parent = ctx.parent.header;
  if (h.chainId !== ctx.chainId) reject(BlockErrorCode.WRONG_CHAIN, "block of another chain");
  if (h.height !== parent.height + 1) reject(BlockErrorCode.BAD_HEIGHT, "height does not follow the parent", { height: h.height });
  if (!equalBytes(h.parentHash, ctx.parent.hash)) reject(BlockErrorCode.BAD_PARENT, "parent hash is not the head");
  if (h.timestamp <= parent.timestamp || h.timestamp > ctx.now + ctx.maxClockSkewMs) {
    reject(BlockErrorCode.BAD_TIMESTAMP, "timestamp out of bounds", { timestamp: h.timestamp });
  }
  if (!equalBytes(h.validatorsHash, validatorSetHash(ctx.validators))) reject(BlockErrorCode.BAD_VALIDATORS_HASH, "wrong validator set");

  const proposer = ctx.validators.find((v) => equalBytes(v.address, h.proposer));
  if (proposer === undefined) reject(BlockErrorCode.WRONG_PROPOSER, "proposer is not a validator");
  if (!verifySignature("secp256k1", proposer.publicKey, h.signature, headerPayload(h))) {
    reject(BlockErrorCode.BAD_PROPOSER_SIGNATURE, "proposer signature invalid");
  }
  if (h.height === 1) {
    if (h.parentCommit !== null) reject(BlockErrorCode.BAD_COMMIT, "genesis has no commit");
  } else {
    if (h.parentCommit === null) reject(BlockErrorCode.BAD_COMMIT, "missing parent commit");
    verifyCommit(h.parentCommit, ctx.parentValidators, ctx.chainId, parent.height, ctx.parent.hash);
  }
  if (!equalBytes(h.txRoot, txRoot(block.txs))) reject(BlockErrorCode.BAD_TX_ROOT, "transaction root mismatch");
  block.txs.forEach((tx, index) => {
    if (!ctx.verifyTx(tx)) reject(BlockErrorCode.INVALID_TX, "bad transaction signature", { index, code: TxErrorCode.BAD_SIGNATURE });
  });

  const env = { chainId: ctx.chainId, height: h.height, timestamp: h.timestamp, proposer: h.proposer, params: ctx.params };
  const result = await transition(ctx.base, env, block.txs, ctx.registry);
  if (!equalBytes(h.stateRoot, result.stateRoot)) reject(BlockErrorCode.BAD_STATE_ROOT, "state root mismatch");
  if (!equalBytes(h.receiptsRoot, result.receiptsRoot)) reject(BlockErrorCode.BAD_RECEIPTS_ROOT, "receipts root mismatch");
  if (!equalBytes(h.nextValidatorsHash, result.nextValidatorsHash)) {
    reject(BlockErrorCode.BAD_VALIDATORS_HASH, "next validator set mismatch");
  }
  const hash = headerHash(h);
  if (commit !== undefined) verifyCommit(commit, ctx.validators, ctx.chainId, h.height, hash);
  return { hash, transition: result };
}
