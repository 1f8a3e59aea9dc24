import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import { equalBytes, toHex } from "../crypto/bytes.js";
import { loadOrCreateKeyFile } from "../crypto/keyFile.js";
import { createRegistry } from "../contracts/index.js";
import { parseGenesis, type Genesis } from "../contracts/genesis.js";
import { readAccount, ZERO_COUNTERS } from "../contracts/modules/accounts.js";
import { rolesOf } from "../contracts/modules/access.js";
import { query } from "../contracts/state.js";
import { AttestaError } from "../errors.js";
import { admitTransactions, type Admission } from "../inspect/admit.js";
import { inspectBareReading } from "../inspect/dryRun.js";
import { runPipeline, type InspectEnv, type PipelineDeps, type PipelineObserver } from "../inspect/pipeline.js";
import { recheckPending } from "../inspect/recheck.js";
import { VerifyPool } from "../inspect/verifyPool.js";
import { Mempool, type DroppedTx } from "../inspect/mempool.js";
import { VerifiedCache } from "../inspect/verifiedCache.js";
import { headerHash } from "../ledger/header.js";
import { ChainStore } from "../ledger/storage/chainStore.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import { Chain, type ImportedBlock } from "./chain.js";
import { initDataDir } from "./dataDir.js";
import { dataDirLayout, type NodeOptions } from "./options.js";
import { ConsensusEngine } from "../consensus/engine.js";
import { evidenceTransaction } from "../consensus/evidenceTx.js";
import { SignGuard } from "../consensus/signGuard.js";
import { MemoryNetwork, type ConsensusTransport, type MessageVerdict } from "../consensus/transport.js";
import { loadOrCreatePeerKey, type PeerKey } from "../net/peerKey.js";
import { P2PNetwork } from "../net/network.js";
import { Syncer, type SyncProgress } from "../net/sync.js";
import { InspectStage } from "../inspect/verdict.js";
import { chainNetworkHost } from "./netHost.js";
import type { Block } from "../ledger/block.js";
import type { Commit } from "../ledger/commit.js";
import type { Evidence } from "../ledger/consensusMessages.js";
import { chainConsensusHost } from "./consensusHost.js";
import { FileSignStateStore } from "./signStateFile.js";
import { RejectedTxs } from "./txTracker.js";
import { AttestationQueryService } from "./queries.js";
import type { SignedTransaction } from "../ledger/transaction.js";
import type {
  AccountView,
  AttestationQueries,
  ConsensusStatus,
  InspectRequest,
  NetworkStatus,
  SyncStatus,
  InspectResult,
  NodeService,
  NodeStatus,
  StoredBlock,
  SubmitAccepted,
  SubmitRefused,
  TxStatusView,
} from "./types.js";
import { VERSION } from "./version.js";

const NO_PROPOSER = new Uint8Array(20);

export interface NodeDeps {
  readonly logger: Logger;
  /** Told of sync progress from the start (the CLI draws a progress bar). */
  readonly onSyncProgress?: (p: SyncProgress) => void;
}

/** A running node: the NodeService the API and CLI use, plus its lifecycle. */
export interface AttestaNode extends NodeService, AttestationQueries {
  readonly chain: Chain;
  readonly genesis: Genesis;
  stop(): Promise<void>;
}

async function loadGenesis(path: string): Promise<Genesis> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new AttestaError("GENESIS_INVALID", `cannot read genesis ${path}`, { reason: (err as Error).message });
  }
  return parseGenesis(json);
}

/**
 * Starts a node over `opts.dataDir`: opens the database (writing genesis on first use),
 * the chain, the mempool and, for the sole validator, block production. A failed start
 * closes what it opened.
 */
export async function startNode(opts: NodeOptions, deps: NodeDeps): Promise<AttestaNode> {
  const layout = dataDirLayout(opts.dataDir);
  if (opts.dev) await initDataDir({ dataDir: opts.dataDir, dev: true });
  const genesis = await loadGenesis(layout.genesis);
  const key = await loadOrCreateKeyFile(layout.nodeKey, "secp256k1");
  const store = await ChainStore.open(layout.db);
  try {
    const registry = createRegistry();
    const verified = new VerifiedCache();
    const pool = new VerifyPool({ size: opts.verifyWorkers, minParallelBatch: 16 });
    const chain = await Chain.open(
      {
        store,
        genesis,
        registry,
        logger: deps.logger.child({ module: "chain" }),
        verifyTx: (tx) => verified.verify(tx),
        preverify: (txs) => verified.verifyAll(txs, pool),
      },
      { maxClockSkewMs: opts.maxClockSkewMs },
    );
    const mempool = new Mempool({ maxTxs: opts.mempoolMaxTxs, maxBytes: opts.mempoolMaxBytes, maxPerSender: 1_000 });
    pool.start();
    const inSet = chain.validators.some((v) => equalBytes(v.address, key.address));
    if (opts.requireValidator && !inSet) {
      throw new AttestaError("NOT_A_VALIDATOR", `--validator: the node key ${toHex(key.address)} is not in the validator set`, { address: toHex(key.address) });
    }
    const guard = opts.validator && inSet ? await SignGuard.open(new FileSignStateStore(layout.signState), key.secretKey) : null;
    const peerKey = opts.p2p.enabled ? await loadOrCreatePeerKey(layout.p2pKey) : null;
    const node = new Node(opts, genesis, store, chain, mempool, verified, pool, registry, key, guard, peerKey, deps.logger, deps.onSyncProgress);
    try {
      await node.start();
    } catch (err) {
      await node.stop();
      throw err;
    }
    return node;
  } catch (err) {
    if (store.isOpen) await store.close();
    throw err;
  }
}

/** How long a starting node waits for its bootstrap peers' status before deciding whether to sync. */
const PEER_WAIT_MS = 5_000;
/** Blocks behind the best peer at which a running node stops consensus and syncs by range. */
const SYNC_GAP = 32;
const SYNC_CHECK_MS = 5_000;

class Node implements AttestaNode {
  private readonly log: Logger;
  private readonly rejected = new RejectedTxs();
  private engine: ConsensusEngine | undefined;
  private network: P2PNetwork | undefined;
  private syncer: Syncer | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  /** Aborted by stop(): a sync in progress imports no more blocks. */
  private readonly stopping = new AbortController();
  private readonly unsubscribe: () => void;
  private stopped = false;
  readonly mode: "validator" | "full";

  constructor(
    private readonly opts: NodeOptions,
    readonly genesis: Genesis,
    private readonly store: ChainStore,
    readonly chain: Chain,
    private readonly mempool: Mempool,
    private readonly verified: VerifiedCache,
    private readonly pool: VerifyPool,
    private readonly registry: ReturnType<typeof createRegistry>,
    private readonly key: Awaited<ReturnType<typeof loadOrCreateKeyFile>>,
    private readonly guard: SignGuard | null,
    private readonly peerKey: PeerKey | null,
    /** The root logger: each part logs through its own child (a child of a child would repeat `module`). */
    private readonly logger: Logger,
    private readonly syncListener?: (p: SyncProgress) => void,
  ) {
    this.log = logger.child({ module: "node" });
    const isValidator = chain.validators.some((v) => equalBytes(v.address, key.address));
    this.mode = opts.validator && isValidator ? "validator" : "full";
    this.queries = new AttestationQueryService({ store, chain, mempool });
    this.unsubscribe = chain.onBlock((imported) => this.afterBlock(imported));
    this.log.info({ mode: this.mode, address: toHex(key.address), height: chain.head.header.height }, "node started");
  }

  /**
   * Joins the network (unless --no-p2p), catches up with its peers by range sync, then takes
   * part in consensus: as a validator, or following (verifying every decision) as a full node.
   */
  async start(): Promise<void> {
    const p2p = this.opts.p2p;
    if (p2p.enabled && this.peerKey !== null) {
      const network = await P2PNetwork.start(
        chainNetworkHost({ chain: this.chain, store: this.store, admitGossip: (txs) => this.admitGossip(txs) }),
        { ...p2p, peerKey: this.peerKey, logger: this.logger.child({ module: "p2p" }) },
      );
      this.network = network;
      this.syncer = new Syncer(network, { head: () => this.chain.head.header.height, importDecided: (block, commit) => this.importSynced(block, commit) }, this.logger.child({ module: "sync" }));
      if (this.syncListener !== undefined) this.syncer.onProgress(this.syncListener);
    }
    if (this.stopped) return;
    this.engine = this.createEngine(this.network?.consensus);
    if (this.network !== undefined && this.syncer !== undefined) {
      if (p2p.bootstrap.length > 0) await this.waitForPeers(PEER_WAIT_MS);
      await this.syncer.sync(0, this.stopping.signal).catch((err: unknown) => this.log.error({ err }, "sync failed"));
      this.syncTimer = setInterval(() => this.syncIfBehind().catch((err: unknown) => this.log.error({ err }, "catching up failed")), SYNC_CHECK_MS);
      this.syncTimer.unref?.();
    }
    if (!this.stopped) await this.engine?.start();
  }

  /** The consensus engine: a validator's, or a follower's (no key) on the network; none for a lone full node. */
  private createEngine(transport: ConsensusTransport | undefined): ConsensusEngine | undefined {
    const { chain, key, mempool, genesis, log } = this;
    const validator = this.mode === "validator" && this.guard !== null;
    if (!validator && transport === undefined) return undefined;
    const { params } = genesis;
    const host = chainConsensusHost({
      chain,
      key: validator ? key : null,
      candidates: () => mempool.candidates(params.maxBlockTxs, params.maxBlockBytes),
      pending: () => mempool.count,
      submitEvidence: (evidence) => (validator ? void this.submitEvidence(evidence) : undefined),
    });
    if (transport === undefined && chain.validators.length > 1) {
      log.warn({ validators: chain.validators.length }, "--no-p2p: this validator cannot reach a quorum of the other validators");
    }
    return new ConsensusEngine(host, {
      key: validator ? key : null,
      guard: validator ? this.guard : null,
      // Without a network a lone validator still decides: alone in its set, it is its own quorum.
      transport: transport ?? new MemoryNetwork().join(toHex(key.address)),
      blockPeriodMs: params.blockPeriodMs,
      heartbeatMs: params.heartbeatMs,
      logger: this.logger.child({ module: "consensus" }),
    });
  }

  private async waitForPeers(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.stopped && Date.now() < until && (this.network?.peerStatuses().length ?? 0) === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Far behind the best peer (downtime, a partition): pause consensus, sync by range, resume. */
  private async syncIfBehind(): Promise<void> {
    const syncer = this.syncer;
    if (syncer === undefined || this.stopped || syncer.progress.syncing) return;
    if (syncer.target() <= this.chain.head.header.height + SYNC_GAP) return;
    this.engine?.stop();
    try {
      await syncer.sync(0, this.stopping.signal);
    } catch (err) {
      this.log.error({ err }, "sync failed");
    } finally {
      if (!this.stopped) await this.engine?.start();
    }
  }

  /** A block sync downloaded: imported with full verification, unless consensus committed that height meanwhile. */
  private async importSynced(block: Block, commit: Commit): Promise<void> {
    try {
      await this.chain.importBlock(block, commit);
    } catch (err) {
      if (this.chain.head.header.height >= block.header.height) return;
      throw err;
    }
  }

  /**
   * A gossiped transaction batch: admitted like a client's. `reject` (the sender is at fault)
   * when any transaction is malformed or badly signed, which an honest relay never forwards;
   * `accept` (relay it) when any is new and valid; `ignore` otherwise (known, or refused for
   * reasons of state such as a nonce or a full mempool: no one's fault).
   */
  private async admitGossip(txs: readonly Uint8Array[]): Promise<MessageVerdict> {
    const results = await this.admit(txs);
    let verdict: MessageVerdict = "ignore";
    for (const { verdict: v } of results) {
      if (v.kind === "reject" && v.stage === InspectStage.STATELESS && v.code !== TxErrorCode.EXPIRED) return "reject";
      if (v.kind !== "reject") verdict = "accept";
    }
    return verdict;
  }

  /** Puts evidence of equivocation on chain: a `validators.evidence` transaction signed by this validator. */
  private async submitEvidence(evidence: Evidence): Promise<void> {
    try {
      const account = await query(this.chain.state, (s) => readAccount(s, this.key.address));
      const nonce = (account?.nonce ?? 0) + this.mempool.all().filter((tx) => equalBytes(tx.sender, this.key.address)).length;
      const tx = evidenceTransaction(this.genesis.chainId, this.genesis.params.feePerByte, this.key, nonce, evidence);
      const [result] = await this.submitTxs([tx.bytes]);
      if (result !== undefined && "error" in result) this.log.warn({ code: result.error.code }, "evidence transaction refused");
    } catch (err) {
      this.log.error({ err }, "evidence transaction not submitted");
    }
  }

  /**
   * After each block: drop from the mempool what it included, what its proposer left out as
   * invalid, and what has expired, recording why for `GET /v1/txs/:hash`; then re-validate the rest.
   */
  private afterBlock(imported: ImportedBlock): void {
    for (const tx of imported.block.txs) this.mempool.remove(tx);
    for (const { tx, code } of imported.dropped) {
      if (code === TxErrorCode.NONCE_TOO_HIGH) continue; // waits for the gap to fill
      this.mempool.remove(tx);
      this.rejected.add(tx.hash, code);
    }
    for (const tx of this.mempool.dropExpired(imported.block.header.height + 1)) this.rejected.add(tx.hash, TxErrorCode.EXPIRED);
    this.revalidatePending().catch((err: unknown) => this.log.error({ err }, "mempool re-validation failed"));
  }

  /**
   * Re-inspects what is still pending against the new head state, signatures excepted: the
   * stateless rules, the stateful checks (a nonce the block used: NONCE_TOO_LOW) and the dry
   * run (a device suspended or revoked by the block loses its pending readings).
   */
  private async revalidatePending(): Promise<void> {
    const pass = ++this.recheckPasses;
    const stale = (): boolean => pass !== this.recheckPasses;
    const refused = await recheckPending(this.mempool.all(), this.inspectEnv(), this.pipelineDeps(), { stale });
    if (stale()) return; // a newer head came while this pass ran: its own pass decides
    for (const { tx, code } of refused) {
      if (this.mempool.remove(tx)) this.rejected.add(tx.hash, code);
    }
  }

  /** Re-validation passes started, one per block: only the newest one's findings count. */
  private recheckPasses = 0;

  status(): NodeStatus {
    const head = this.chain.head;
    const p = this.genesis.params;
    return {
      chainId: this.genesis.chainId,
      genesisHash: this.chain.genesisHash,
      height: head.header.height,
      headHash: head.hash,
      headTimestamp: head.header.timestamp,
      finalizedHeight: this.chain.finalizedHeight,
      validators: this.chain.validators.map((v) => v.address),
      mode: this.mode,
      version: VERSION,
      params: { feePerByte: p.feePerByte, maxTxBytes: p.maxTxBytes, blockPeriodMs: p.blockPeriodMs },
      mempool: { count: this.mempool.count, bytes: this.mempool.bytes },
      ...(this.engine !== undefined ? { consensus: this.consensusStatus(this.engine) } : {}),
      ...(this.network !== undefined ? { network: this.networkStatus(this.network) } : {}),
      ...(this.syncer !== undefined ? { sync: this.syncStatus(this.syncer) } : {}),
    };
  }

  private networkStatus(network: P2PNetwork): NetworkStatus {
    const { peerId, addresses, peers, banned, faults, gossip } = network.stats();
    return { peerId, addresses: addresses.map((a) => (a.includes("/p2p/") ? a : `${a}/p2p/${peerId}`)), peers, banned, faults, gossip };
  }

  private syncStatus(syncer: Syncer): SyncStatus {
    const { syncing, imported } = syncer.progress;
    return { syncing, target: Math.max(syncer.target(), this.chain.finalizedHeight), imported };
  }

  private consensusStatus(engine: ConsensusEngine): ConsensusStatus {
    const { height, round } = engine.position;
    const { rounds, invalidMessages, refusedSignatures, evidence } = engine.stats;
    return { height, round, rounds, invalidMessages, refusedSignatures, evidence };
  }

  async blockByHeight(height: number): Promise<StoredBlock | undefined> {
    if (!Number.isSafeInteger(height) || height < 0 || height > this.chain.head.header.height) return undefined;
    const block = await this.store.block(height);
    if (block === undefined) return undefined;
    const [receipts, commit] = await Promise.all([this.store.receipts(height), this.store.commit(height)]);
    return { block, hash: headerHash(block.header), receipts: receipts ?? [], commit };
  }

  async blockByHash(hash: Uint8Array): Promise<StoredBlock | undefined> {
    const height = await this.store.heightOf(hash);
    return height === undefined ? undefined : this.blockByHeight(height);
  }

  async submitTx(bytes: Uint8Array): Promise<SubmitAccepted> {
    const [result] = await this.submitTxs([bytes]);
    if (result === undefined) throw new RangeError("no admission result");
    if ("error" in result) throw result.error;
    return result;
  }

  /** The block a transaction would go into: the next height, at the head's timestamp. */
  private inspectEnv(): InspectEnv {
    const head = this.chain.head.header;
    return { chainId: this.genesis.chainId, height: head.height + 1, timestamp: head.timestamp, proposer: NO_PROPOSER, params: this.genesis.params };
  }

  private pipelineDeps(): PipelineDeps {
    return { registry: this.registry, state: this.chain.state, verified: this.verified, pool: this.pool, observer: this.inspection };
  }

  /** Admits into the mempool (what it displaces is recorded for `GET /v1/txs/:hash`) and tells consensus transactions wait. */
  private async admit(list: readonly Uint8Array[]): Promise<Admission[]> {
    const dropped = (d: DroppedTx): void => this.rejected.add(d.tx.hash, d.code);
    const results = await admitTransactions(list, this.inspectEnv(), { ...this.pipelineDeps(), mempool: this.mempool, dropped });
    this.engine?.nudge();
    return results;
  }

  async submitTxs(list: readonly Uint8Array[]): Promise<Array<SubmitAccepted | SubmitRefused>> {
    const results = await this.admit(list);
    // What our own clients sent and we admitted goes to the network (gossip relays the rest).
    this.network?.publishTxs(results.flatMap(({ tx, verdict }) => (verdict.kind !== "reject" && tx !== undefined ? [tx.bytes] : [])));
    return results.map(({ tx, verdict }) => {
      if (verdict.kind !== "reject") return { hash: (tx as SignedTransaction).hash, verdict };
      return tx === undefined ? { error: verdict.error, verdict } : { error: verdict.error, hash: tx.hash, verdict };
    });
  }

  async inspect(request: InspectRequest): Promise<InspectResult> {
    const env = this.inspectEnv();
    if ("reading" in request) {
      // A bare reading goes into a block made now at the earliest: judge `ts` against that.
      const now = Date.now();
      const reading = { ...request.reading, ts: request.reading.ts ?? now };
      return { verdict: await inspectBareReading(this.chain.state, { ...env, timestamp: Math.max(env.timestamp, now) }, reading) };
    }
    const [result] = await runPipeline([request.tx], env, { ...this.pipelineDeps(), observer: undefined });
    if (result === undefined) throw new RangeError("no inspection result");
    return result.tx === undefined ? { verdict: result.verdict } : { verdict: result.verdict, hash: result.tx.hash };
  }

  private readonly observers = new Set<PipelineObserver>();
  /** Fans the pipeline's timings and verdicts out to the observers (none: not timed). */
  private get inspection(): PipelineObserver | undefined {
    if (this.observers.size === 0) return undefined;
    const observers = this.observers;
    return {
      stage: (stage, seconds, txs) => observers.forEach((o) => o.stage(stage, seconds, txs)),
      verdict: (verdict) => observers.forEach((o) => o.verdict(verdict)),
    };
  }

  observeInspection(observer: PipelineObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  verifyPoolLoad(): { inFlight: number; workers: number } {
    return { inFlight: this.pool.inFlight, workers: this.pool.size };
  }

  async txStatus(hash: Uint8Array): Promise<TxStatusView | undefined> {
    if (this.mempool.has(hash)) return { status: "pending" };
    const location = await this.store.txLocation(hash);
    if (location !== undefined) {
      const receipts = await this.store.receipts(location.height);
      const receipt = receipts?.[location.index];
      return {
        status: location.height <= this.chain.finalizedHeight ? "final" : "included",
        height: location.height,
        index: location.index,
        ...(receipt !== undefined ? { receipt } : {}),
      };
    }
    const code = this.rejected.code(hash);
    return code === undefined ? undefined : { status: "rejected", code };
  }

  async account(address: Uint8Array): Promise<AccountView> {
    const account = (await query(this.chain.state, (s) => readAccount(s, address))) ?? { balance: 0n, nonce: 0, counters: ZERO_COUNTERS };
    return {
      address,
      balance: account.balance,
      nonce: account.nonce,
      pendingNonce: this.mempool.pendingNonce(address, account.nonce),
      roles: await query(this.chain.state, (s) => rolesOf(s, address)),
      counters: account.counters,
    };
  }

  private readonly queries: AttestationQueryService;
  readonly device: AttestationQueries["device"] = (id) => this.queries.device(id);
  readonly deviceIntegrity: AttestationQueries["deviceIntegrity"] = (id) => this.queries.deviceIntegrity(id);
  readonly deviceReadings: AttestationQueries["deviceReadings"] = (id, opts) => this.queries.deviceReadings(id, opts);
  readonly deviceAnomalies: AttestationQueries["deviceAnomalies"] = (id, opts) => this.queries.deviceAnomalies(id, opts);
  readonly anomalies: AttestationQueries["anomalies"] = (opts) => this.queries.anomalies(opts);
  readonly profile: AttestationQueries["profile"] = (id, version) => this.queries.profile(id, version);
  readonly validators: AttestationQueries["validators"] = () => this.queries.validators();
  readonly marketOffers: AttestationQueries["marketOffers"] = (opts) => this.queries.marketOffers(opts);
  readonly licences: AttestationQueries["licences"] = (buyer) => this.queries.licences(buyer);

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    this.engine?.stop();
    this.unsubscribe();
    await this.network?.stop().catch((err: unknown) => this.log.warn({ err }, "p2p stop failed"));
    // Let a block being produced or imported finish its atomic write before closing the store.
    await this.chain.idle();
    await this.pool.stop();
    await this.store.close();
    this.log.info("node stopped");
  }
}
