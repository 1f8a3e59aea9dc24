import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { PeerAddressing } from "../net/network.js";

export interface NodeOptions {
  /** Where the database, keys and genesis live. */
  readonly dataDir: string;
  /** Create a dev genesis (one validator: this node; a funded dev account holding every role) on first start. */
  readonly dev: boolean;
  /** Take part in consensus when the node key is in the validator set (false: follow only). */
  readonly validator: boolean;
  /** Refuse to start unless the node key is in the validator set (`start --validator`). */
  readonly requireValidator: boolean;
  readonly logLevel: string;
  /** Mempool caps. */
  readonly mempoolMaxTxs: number;
  readonly mempoolMaxBytes: number;
  /** How far ahead of the local clock a block timestamp may be, in ms. */
  readonly maxClockSkewMs: number;
  /** Signature-verification worker threads for admission; 0 verifies on the main thread. */
  readonly verifyWorkers: number;
  /** The peer-to-peer network (src/net/). */
  readonly p2p: P2POptions;
}

/** The peer-to-peer network (src/net/): where to listen, whom to dial. */
export interface P2POptions extends PeerAddressing {
  /** False: no network at all (a lone validator, tests). */
  readonly enabled: boolean;
}

export const DEFAULT_P2P_PORT = 7546;

/**
 * The V8 heap limits a node process runs with (`npm start`, `attesta devnet`, the Docker
 * image): without them V8 sizes the heap for the machine's memory and lets garbage pile up to
 * several hundred MB under load. The live heap of a loaded node (a full mempool, the state and
 * signature caches) stays under the cap (README, Configuration). The 16 MB semi-spaces keep
 * a block's garbage young: with 4 MB a node under a flood of invalid transactions committed
 * honest readings at 79% of its quiet rate, with 16 MB at 89-90% (bench `flood`).
 */
export const NODE_HEAP_FLAGS = ["--max-old-space-size=144", "--max-semi-space-size=16"] as const;

/**
 * Environment a node process is best started with (`attesta devnet`, the Docker image), unless
 * set otherwise: two glibc malloc arenas instead of eight per core, which keeps a node's
 * threads (libuv, the verification worker, LevelDB) from holding freed memory in arenas of
 * their own (about 45 MB less RSS per validator under load, no loss of throughput measured).
 */
export const NODE_ENV_DEFAULTS: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };

export const defaultNodeOptions: NodeOptions = {
  dataDir: ".attesta",
  dev: false,
  validator: true,
  requireValidator: false,
  logLevel: "info",
  mempoolMaxTxs: 50_000,
  // Decoded, pending transactions take about three times their encoded size: within the heap cap.
  mempoolMaxBytes: 16 * 1024 * 1024,
  maxClockSkewMs: 5_000,
  verifyWorkers: Math.max(0, availableParallelism() - 1),
  p2p: { enabled: true, listen: [`/ip4/0.0.0.0/tcp/${DEFAULT_P2P_PORT}`], announce: [], bootstrap: [], mdns: true },
};

/** The files of a data directory. */
export const dataDirLayout = (dataDir: string) => ({
  genesis: join(dataDir, "genesis.json"),
  nodeKey: join(dataDir, "node.key"),
  /** The libp2p identity (peer id), not the validator key. */
  p2pKey: join(dataDir, "p2p.key"),
  devKey: join(dataDir, "dev.key"),
  config: join(dataDir, "config.json"),
  db: join(dataDir, "db"),
  /** What this validator last signed in consensus (and `.block`: the block it may have to propose again). */
  signState: join(dataDir, "sign-state.json"),
});
