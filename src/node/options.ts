import { availableParallelism } from "node:os";
import { join } from "node:path";

export interface NodeOptions {
  /** Where the database, keys and genesis live. */
  readonly dataDir: string;
  /** Create a dev genesis (one validator: this node; a funded dev account holding every role) on first start. */
  readonly dev: boolean;
  /** Produce blocks (the node key must be in the genesis validator set). */
  readonly validator: boolean;
  readonly logLevel: string;
  /** Mempool caps. */
  readonly mempoolMaxTxs: number;
  readonly mempoolMaxBytes: number;
  /** How far ahead of the local clock a block timestamp may be, in ms. */
  readonly maxClockSkewMs: number;
  /** Signature-verification worker threads for admission; 0 verifies on the main thread. */
  readonly verifyWorkers: number;
}

export const defaultNodeOptions: NodeOptions = {
  dataDir: ".attesta",
  dev: false,
  validator: true,
  logLevel: "info",
  mempoolMaxTxs: 50_000,
  mempoolMaxBytes: 64 * 1024 * 1024,
  maxClockSkewMs: 5_000,
  verifyWorkers: Math.max(0, availableParallelism() - 1),
};

/** The files of a data directory. */
export const dataDirLayout = (dataDir: string) => ({
  genesis: join(dataDir, "genesis.json"),
  nodeKey: join(dataDir, "node.key"),
  devKey: join(dataDir, "dev.key"),
  config: join(dataDir, "config.json"),
  db: join(dataDir, "db"),
  /** What this validator last signed in consensus (and `.block`: the block it may have to propose again). */
  signState: join(dataDir, "sign-state.json"),
});
