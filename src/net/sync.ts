import type { Logger } from "pino";
import { isAttestaError } from "../errors.js";
import { decodeBlock, type Block } from "../ledger/block.js";
import type { Encodable } from "../ledger/codec.js";
import { readCommit, type Commit } from "../ledger/commit.js";
import { TupleReader } from "../ledger/tuple.js";
import { NetError, NetErrorCode } from "./frames.js";
import type { P2PNetwork, PeerStatus } from "./network.js";
import { Fault } from "./peerGuard.js";
import { NetLimits } from "./protocols.js";

/** What sync needs of the chain. */
export interface SyncHost {
  head(): number;
  /**
   * Verifies a finalized block completely (its certificate against the set in force at its
   * height, every signature, re-execution) and commits it; throws a coded error when invalid.
   */
  importDecided(block: Block, commit: Commit): Promise<void>;
}

export interface SyncProgress {
  readonly syncing: boolean;
  /** Height when this sync started, the head now, and the best finalized height peers report. */
  readonly startHeight: number;
  readonly height: number;
  readonly target: number;
  /** Blocks imported by sync since the node started. */
  readonly imported: number;
}

/** Range requests in flight at once, each to a different peer when there are enough. */
const PARALLEL_REQUESTS = 4;

/**
 * Catches a node up with the network: while peers report finalized heights beyond ours, it
 * downloads ranges of finalized blocks with their commit certificates from several peers at
 * once and imports them in order, each verified in full. A peer whose block or certificate
 * does not verify is scored down and left out; a peer that is slow or has nothing is left out
 * of this round only.
 */
export class Syncer {
  private state: SyncProgress = { syncing: false, startHeight: 0, height: 0, target: 0, imported: 0 };
  private readonly listeners = new Set<(p: SyncProgress) => void>();
  private running: Promise<number> | undefined;

  constructor(
    private readonly network: P2PNetwork,
    private readonly host: SyncHost,
    private readonly log: Logger,
  ) {}

  get progress(): SyncProgress {
    return { ...this.state, height: this.host.head() };
  }

  onProgress(listener: (p: SyncProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(patch: Partial<SyncProgress>): void {
    this.state = { ...this.state, ...patch, height: this.host.head() };
    for (const listener of this.listeners) listener(this.state);
  }

  /** The best finalized height a connected peer reports (0 without peers). */
  target(): number {
    return Math.max(0, ...this.network.peerStatuses().map((p) => p.finalizedHeight));
  }

  /** Syncs until no peer is more than `slack` blocks ahead; returns the blocks imported. One run at a time. */
  sync(slack = 0, signal?: AbortSignal): Promise<number> {
    this.running ??= this.run(slack, signal).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(slack: number, signal: AbortSignal | undefined): Promise<number> {
    let imported = 0;
    const excluded = new Set<string>();
    const start = this.host.head();
    if (this.target() <= start + slack) return 0;
    this.emit({ syncing: true, startHeight: start, target: this.target() });
    this.log.info({ height: start, target: this.target() }, "syncing");
    try {
      const aborted = (): boolean => signal?.aborted === true;
      while (!aborted()) {
        const head = this.host.head();
        const peers = this.network.peerStatuses().filter((p) => p.finalizedHeight > head && !excluded.has(p.peer));
        const target = Math.max(0, ...peers.map((p) => p.finalizedHeight));
        this.emit({ target: Math.max(target, this.state.target) });
        if (peers.length === 0 || target <= head + slack) break;
        peers.sort((a, b) => b.finalizedHeight - a.finalizedHeight);
        const windows = this.plan(head + 1, target, peers);
        for (const window of windows) {
          if (aborted()) break;
          const result = await window.blocks.catch((err: unknown) => err as Error);
          if (result instanceof Error) {
            excluded.add(window.peer);
            this.log.debug({ peer: window.peer, from: window.from, err: result.message }, "range request failed");
            break;
          }
          const applied = await this.apply(window, result);
          imported += applied;
          this.emit({ imported: this.state.imported + applied });
          if (applied < result.length || result.length === 0) {
            excluded.add(window.peer);
            break;
          }
        }
      }
    } finally {
      this.emit({ syncing: false });
    }
    this.log.info({ imported, height: this.host.head() }, "sync done");
    return imported;
  }

  /** Requests for consecutive ranges from `from` to `target`, spread over the peers that have them. */
  private plan(from: number, target: number, peers: PeerStatus[]): Array<{ peer: string; from: number; blocks: Promise<Array<[Block, Commit]>> }> {
    const windows = [];
    for (let i = 0; i < PARALLEL_REQUESTS; i++) {
      const start = from + i * NetLimits.maxBlocksPerRequest;
      if (start > target) break;
      const holders = peers.filter((p) => p.finalizedHeight >= start);
      const peer = holders[i % holders.length] as PeerStatus;
      const count = Math.min(NetLimits.maxBlocksPerRequest, target - start + 1);
      windows.push({ peer: peer.peer, from: start, blocks: this.fetch(peer.peer, start, count) });
    }
    return windows;
  }

  private async fetch(peer: string, from: number, count: number): Promise<Array<[Block, Commit]>> {
    const response = await this.network.request(peer, this.network.ids.blocks, [from, count]);
    try {
      return readBlockRange(response);
    } catch (err) {
      this.network.fault(peer, Fault.INVALID, "malformed block range");
      throw new NetError(NetErrorCode.BAD_RESPONSE, (err as Error).message);
    }
  }

  /** Imports a range in order; returns how many blocks went in (fewer: the peer sent an invalid one). */
  private async apply(window: { peer: string; from: number }, blocks: Array<[Block, Commit]>): Promise<number> {
    let applied = 0;
    for (const [block, commit] of blocks) {
      const height = block.header.height;
      if (height <= this.host.head()) {
        applied++; // consensus got there first
        continue;
      }
      if (height !== this.host.head() + 1) return applied;
      try {
        await this.host.importDecided(block, commit);
      } catch (err) {
        if (!isAttestaError(err)) throw err;
        this.log.warn({ peer: window.peer, height, code: err.code }, "peer sent a block that does not verify");
        this.network.fault(window.peer, Fault.INVALID, `invalid block: ${err.code}`);
        return applied;
      }
      applied++;
      this.emit({});
    }
    return applied;
  }
}

/** A blocks response: a list of [block bytes, commit tuple]. Throws MALFORMED. */
export function readBlockRange(value: Encodable): Array<[Block, Commit]> {
  const items = new TupleReader([value], "blocks", 1).list("items", NetLimits.maxBlocksPerRequest);
  return items.map((item) => {
    const r = new TupleReader(item, "blocks.item", 2);
    return [decodeBlock(r.bytes("block")), readCommit(r.any())];
  });
}
