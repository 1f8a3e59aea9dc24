import type { Logger } from "pino";
import { equalBytes, toHex } from "../crypto/bytes.js";
import { signPayload, type KeyPair } from "../crypto/keys.js";
import { buildGenesisBlock } from "../consensus/genesisBlock.js";
import { verifyBlock, type ImportContext } from "../consensus/importBlock.js";
import { produceBlock } from "../consensus/produceBlock.js";
import type { StateAccess, Transition } from "../consensus/stateTransition.js";
import type { Genesis } from "../contracts/genesis.js";
import { query } from "../contracts/state.js";
import { readJailed, validatorSetAt, type ValidatorSet } from "../contracts/modules/validators.js";
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
  /** Proposals validated or built against the current head, by block hash (hex): consensus commits one of them. */
  private readonly proposals = new Map<string, { readonly block: Block; readonly transition: Transition }>();
  private jailedAtHead: readonly Uint8Array[] = [];
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
    chain.nextSet = await query(chain.state, (s) => validatorSetAt(s, height + 1));
    chain.headSet = await query(chain.state, (s) => validatorSetAt(s, height));
    chain.jailedAtHead = await query(chain.state, readJailed);
    log.info({ height, finalized, headHash: toHex(chain.headRef.hash) }, "chain opened");
    return chain;
  }

  get chainId(): string {
    return this.deps.genesis.chainId;
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

  /** Validators jailed for equivocation, as of the head: never chosen as proposer at the next height. */
  get jailed(): readonly Uint8Array[] {
    return this.jailedAtHead;
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
    return this.enqueue(() => this.importBlockNow(block, commit));
  }

  private async importBlockNow(block: Block, commit?: Commit): Promise<ImportedBlock> {
    await this.deps.preverify?.(block.txs);
    const verified = await verifyBlock(block, this.context(), commit);
    return this.persist(block, verified.hash, verified.transition, commit);
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
      const parentCommit = await this.headCommit();
      const proposal = await produceBlock({ ...this.context(), parentCommit, key, timestamp }, candidates);
      const height = proposal.block.header.height;
      const payload = votePayload(this.deps.genesis.chainId, VoteType.PRECOMMIT, height, 0, proposal.hash);
      const commit: Commit = { height, round: 0, blockHash: proposal.hash, signatures: [{ index, signature: signPayload("secp256k1", key.secretKey, payload) }] };
      return this.persist(proposal.block, proposal.hash, proposal.transition, commit);
    });
  }

  private context(): ImportContext {
    return {
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
    };
  }

  /**
   * Consensus: builds and signs a block on the head from `candidates`, without committing it.
   * Kept (with its execution) until the head moves, so its decision commits without re-execution.
   */
  buildProposal(key: KeyPair, candidates: readonly SignedTransaction[], timestamp: number): Promise<{ block: Block; hash: Uint8Array }> {
    return this.enqueue(async () => {
      const parentCommit = await this.headCommit();
      const { block, hash, transition } = await produceBlock(
        { ...this.context(), parentCommit, validators: this.nextSet, key, timestamp },
        candidates,
      );
      this.proposals.set(toHex(hash), { block, transition });
      return { block, hash };
    });
  }

  /**
   * Consensus: validates and executes a proposed block against the head (the import rules, no
   * commit yet). Throws the block's error code; a valid block is kept until the head moves.
   */
  validateProposal(block: Block): Promise<Uint8Array> {
    return this.enqueue(async () => {
      await this.deps.preverify?.(block.txs);
      const verified = await verifyBlock(block, this.context());
      this.proposals.set(toHex(verified.hash), { block, transition: verified.transition });
      return verified.hash;
    });
  }

  /**
   * Consensus decided `block` with certificate `commit` (checked by the engine): commits it,
   * reusing the execution of its validation when it extends the head, or importing it in full
   * (certificate included) otherwise.
   */
  commitDecided(block: Block, commit: Commit): Promise<ImportedBlock> {
    const known = this.proposals.get(toHex(commit.blockHash));
    if (known === undefined || block.header.height !== this.headRef.header.height + 1) return this.importBlock(block, commit);
    return this.enqueue(async () => {
      if (!equalBytes(known.block.header.parentHash, this.headRef.hash)) return this.importBlockNow(block, commit);
      return this.persist(known.block, commit.blockHash, known.transition, commit);
    });
  }

  /** The head's own certificate, which the next header carries (none for genesis). */
  private async headCommit(): Promise<Commit | null> {
    const height = this.headRef.header.height;
    return height === 0 ? null : ((await this.deps.store.commit(height)) ?? null);
  }

  /** The decided block at `height` and its certificate, if stored. */
  async decided(height: number): Promise<{ block: Block; commit: Commit } | undefined> {
    const [block, commit] = await Promise.all([this.deps.store.block(height), this.deps.store.commit(height)]);
    return block === undefined || commit === undefined ? undefined : { block, commit };
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
    this.nextSet = await query(this.state, (s) => validatorSetAt(s, height + 1));
    this.jailedAtHead = await query(this.state, readJailed);
    this.proposals.clear();
    const imported: ImportedBlock = { block, hash, receipts: transition.receipts, dropped: transition.dropped };
    this.deps.logger.debug({ height, txs: block.txs.length, hash: toHex(hash) }, "block committed");
    for (const listener of this.listeners) listener(imported);
    return imported;
  }
}
