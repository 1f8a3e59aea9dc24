import type { Logger } from "pino";
import type { KeyPair } from "../crypto/keys.js";
import type { ChainParams } from "../contracts/params.js";
import { isAttestaError } from "../errors.js";
import type { Mempool } from "../inspect/mempool.js";
import type { Chain } from "./chain.js";

export interface ProducerDeps {
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly key: KeyPair;
  readonly params: ChainParams;
  readonly logger: Logger;
}

/**
 * The sole validator's block clock: a block as soon as transactions wait (at most one per
 * block period), an empty heartbeat block after `heartbeatMs` idle, nothing otherwise, so an
 * idle network does not wear out a Pi's SD card.
 */
export class BlockProducer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private producing = false;

  constructor(private readonly deps: ProducerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Called when a transaction arrives: produce now if the block period allows. */
  nudge(): void {
    if (this.running && !this.producing) this.schedule();
  }

  private dueAt(): number {
    const last = this.deps.chain.head.header.timestamp;
    return last + (this.deps.mempool.count > 0 ? this.deps.params.blockPeriodMs : this.deps.params.heartbeatMs);
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.dueAt() - Date.now(), this.deps.params.heartbeatMs));
    this.timer = setTimeout(() => void this.tick(), wait);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (!this.running) return;
    if (Date.now() >= this.dueAt()) {
      this.producing = true;
      try {
        const { params, mempool, chain, key } = this.deps;
        const candidates = mempool.candidates(params.maxBlockTxs, params.maxBlockBytes);
        const imported = await chain.produceAndCommit(key, candidates, Date.now());
        this.deps.logger.info({ height: imported.block.header.height, txs: imported.block.txs.length }, "block produced");
      } catch (err) {
        this.deps.logger.error({ err, code: isAttestaError(err) ? err.code : undefined }, "block production failed");
      } finally {
        this.producing = false;
      }
    }
    if (this.running) this.schedule();
  }
}
