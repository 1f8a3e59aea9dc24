import type { Logger } from "pino";
import { equalBytes, toHex } from "../crypto/bytes.js";
import { signPayload, type KeyPair } from "../crypto/keys.js";
import { buildGenesisBlock } from "../consensus/genesisBlock.js";
import { verifyBlock } from "../consensus/importBlock.js";
import { produceBlock } from "../consensus/produceBlock.js";
import type { StateAccess, Transition } from "../consensus/stateTransition.js";
import type { Genesis } from "../contracts/genesis.js";
import { validatorSetAt, type ValidatorSet } from "../contracts/modules/validators.js";
import type { ContractRegistry } from "../contracts/runtime.js";
import { AttestaError } from "../errors.js";
import type { Block } from "../ledger/block.js";
import { VoteType, votePayload, type Commit } from "../ledger/commit.js";
import { headerHash, type Header } from "../ledger/header.js";
import type { Receipt } from "../ledger/receipt.js";
import { MemoryNodeStore, SparseMerkleTree } from "../ledger/smt/index.js";
import type { ChainStore } from "../ledger/storage/chainStore.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import { readingIndexEntries } from "./readingIndex.js";
import { StateCache } from "./stateCache.js";

export const GENESIS_MISMATCH = "GENESIS_MISMATCH";

export interface ChainDeps {
  readonly store: ChainStore;
  readonly genesis: Genesis;
  readonly registry: ContractRegistry;
  readonly logger: Logger;
  /** Checks a transaction's signature, with the node's cache of verified transactions. */
  readonly verifyTx: (tx: SignedTransaction) => boolean;
  /** Verifies a block's signatures in parallel before its import, so `verifyTx` finds them cached. */
  readonly preverify?: (txs: readonly SignedTransaction[]) => Promise<void>;
}

export interface ChainOptions {
  readonly maxClockSkewMs: number;
}

export interface HeadRef {
  readonly header: Header;
  readonly hash: Uint8Array;
}

/** A block that became the head: what subscribers (mempool, API events) need. */
export interface ImportedBlock {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly receipts: readonly Receipt[];
  /** Candidates the proposer left out, with their codes (empty for imported blocks). */
  readonly dropped: Transition["dropped"];
}

/**
 * The chain a node follows: head, finality, head state. Every block, produced here or
 * imported, goes through one sequential queue (validate completely, then one atomic write),
 * so state, head and database never race.
 */
export class Chain {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(imported: ImportedBlock) => void>();
  readonly state: StateCache;
  readonly tree: SparseMerkleTree;

  private constructor(
    private readonly deps: ChainDeps,
    private readonly options: ChainOptions,
    readonly genesisHash: Uint8Array,
    private headRef: HeadRef,
    private finalized: number,
    /** The validator set in force at the next height, and the one that committed the head. */
    private nextSet: ValidatorSet,
    private headSet: ValidatorSet,
  ) {
    this.state = new StateCache(deps.store);
    this.tree = new SparseMerkleTree(deps.store);
  }

  /** Opens the chain in `store`, writing the genesis block on first use; refuses a store of another genesis. */
  static async open(deps: ChainDeps, options: ChainOptions): Promise<Chain> {
    const { store, genesis } = deps;
    const log = deps.logger;
    const expected = await buildGenesisBlock(genesis, new SparseMerkleTree(new MemoryNodeStore()));
    const storedGenesis = await store.genesisHash();
    if (storedGenesis === undefined) {
      await store.commitBlock({
        block: expected.block,
        hash: expected.hash,
        receipts: [],
        stateChanges: expected.changes,
        treeNodes: expected.treeNodes,
        commits: [],
        finalizedHeight: 0,
      });
      log.info({ genesisHash: toHex(expected.hash), chainId: genesis.chainId }, "genesis written");
    } else if (!equalBytes(storedGenesis, expected.hash)) {
      throw new AttestaError(GENESIS_MISMATCH, "the database belongs to another genesis", {
        stored: toHex(storedGenesis),
        genesis: toHex(expected.hash),
      });
    }
    const height = (await store.headHeight()) ?? 0;
    const head = await store.block(height);
    if (head === undefined) throw new Error(`database has no block at its head height ${height}`);
    const finalized = (await store.finalizedHeight()) ?? 0;
    const chain = new Chain(deps, options, expected.hash, { header: head.header, hash: headerHash(head.header) }, finalized, [], []);
    chain.nextSet = await validatorSetAt(chain.state, height + 1);
    chain.headSet = await validatorSetAt(chain.state, height);
    log.info({ height, finalized, headHash: toHex(chain.headRef.hash) }, "chain opened");
    return chain;
  }

  get head(): HeadRef {
    return this.headRef;
  }

  get finalizedHeight(): number {
    return this.finalized;
  }

  /** The validator set in force at the next height. */
  get validators(): ValidatorSet {
    return this.nextSet;
  }

  onBlock(listener: (imported: ImportedBlock) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every queued import or production has finished. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private base(): StateAccess {
    return { state: this.state, stateRoot: this.headRef.header.stateRoot, tree: this.tree };
  }

  /** Validates `block` against the head and, if it is valid, commits it. `commit` is its own certificate, when known. */
  importBlock(block: Block, commit?: Commit): Promise<ImportedBlock> {
    return this.enqueue(async () => {
      await this.deps.preverify?.(block.txs);
      const verified = await verifyBlock(
        block,
        {
          chainId: this.deps.genesis.chainId,
          params: this.deps.genesis.params,
          registry: this.deps.registry,
          parent: this.headRef,
          validators: this.nextSet,
          parentValidators: this.headSet,
          base: this.base(),
          now: Date.now(),
          maxClockSkewMs: this.options.maxClockSkewMs,
          verifyTx: this.deps.verifyTx,
        },
        commit,
      );
      return this.persist(block, verified.hash, verified.transition, commit);
    });
  }

  /**
   * Single-validator production: builds a block from `candidates`, commits it with this
   * validator's own precommit (a quorum of one) and makes it the head. Multi-validator
   * chains decide through consensus instead.
   */
  produceAndCommit(key: KeyPair, candidates: readonly SignedTransaction[], timestamp: number): Promise<ImportedBlock> {
    return this.enqueue(async () => {
      const index = this.nextSet.findIndex((v) => equalBytes(v.address, key.address));
      if (index < 0 || this.nextSet.length !== 1) throw new RangeError("only the sole validator may produce alone");
      const parentCommit = this.headRef.header.height === 0 ? null : ((await this.deps.store.commit(this.headRef.header.height)) ?? null);
      const proposal = await produceBlock(
        {
          chainId: this.deps.genesis.chainId,
          params: this.deps.genesis.params,
          registry: this.deps.registry,
          parent: this.headRef,
          parentCommit,
          validators: this.nextSet,
          base: this.base(),
          key,
          timestamp,
        },
        candidates,
      );
      const height = proposal.block.header.height;
      const payload = votePayload(this.deps.genesis.chainId, VoteType.PRECOMMIT, height, 0, proposal.hash);
      const commit: Commit = { height, round: 0, blockHash: proposal.hash, signatures: [{ index, signature: signPayload("secp256k1", key.secretKey, payload) }] };
      return this.persist(proposal.block, proposal.hash, proposal.transition, commit);
    });
  }

  private async persist(block: Block, hash: Uint8Array, transition: Transition, commit: Commit | undefined): Promise<ImportedBlock> {
    const height = block.header.height;
    const commits = [block.header.parentCommit, commit].filter((c): c is Commit => c !== null && c !== undefined);
    const finalizedHeight = commit !== undefined ? height : Math.max(this.finalized, height - 1);
    await this.deps.store.commitBlock({
      block,
      hash,
      receipts: transition.receipts,
      stateChanges: transition.changes,
      treeNodes: transition.treeNodes,
      commits,
      finalizedHeight,
      indexes: readingIndexEntries(height, transition.receipts),
    });
    this.state.apply(transition.changes);
    this.headRef = { header: block.header, hash };
    this.finalized = finalizedHeight;
    this.headSet = this.nextSet;
    this.nextSet = await validatorSetAt(this.state, height + 1);
    const imported: ImportedBlock = { block, hash, receipts: transition.receipts, dropped: transition.dropped };
    this.deps.logger.debug({ height, txs: block.txs.length, hash: toHex(hash) }, "block committed");
    for (const listener of this.listeners) listener(imported);
    return imported;
  }
}
