import { join, resolve } from "node:path";
import { CliErrorCode, cliError } from "./cliErrors.js";
import { parseCount } from "./output.js";
import { LOG_LEVELS } from "./startOptions.js";

/**
 * What `attesta devnet` runs, as data: node i (from 0) lives in `<dir>/node-<i>`, serves its API
 * on 127.0.0.1 at base port + 2i and listens for peers at base port + 2i + 1, and dials every
 * other node. Nothing here touches the disk or the network.
 */

export const DEVNET_DEFAULTS = { validators: 4, dir: ".attesta-devnet", basePort: 7600, logLevel: "info" } as const;
export const DEVNET_CHAIN_ID = "attesta-devnet";
export const MAX_DEVNET_VALIDATORS = 64;
export const DEVNET_HOST = "127.0.0.1";

export interface DevnetOptions {
  readonly validators: number;
  readonly dir: string;
  readonly basePort: number;
  readonly logLevel: string;
}

export interface DevnetNodePlan {
  readonly name: string;
  readonly dataDir: string;
  readonly apiPort: number;
  readonly p2pPort: number;
  readonly apiUrl: string;
  /** `/ip4/127.0.0.1/tcp/<p2pPort>/p2p/<peer id>`: how the others dial it. */
  readonly p2pAddress: string;
  /** The argv that starts this node alone: executable first. */
  readonly command: readonly string[];
}

/** `--validators`: 1 to 64; BAD_ARGUMENT otherwise. */
export function parseDevnetValidators(value: string): number {
  const n = parseCount(value, "--validators");
  if (n < 1 || n > MAX_DEVNET_VALIDATORS) {
    throw cliError(CliErrorCode.BAD_ARGUMENT, `--validators: expected 1 to ${MAX_DEVNET_VALIDATORS}`, { name: "--validators" });
  }
  return n;
}

/** `--base-port`: every port from it to base + 2n - 1 must be a TCP port (1 to 65535); BAD_ARGUMENT otherwise. */
export function parseDevnetBasePort(value: string, validators: number): number {
  const port = parseCount(value, "--base-port");
  const last = port + 2 * validators - 1;
  if (port < 1 || last > 65_535) {
    throw cliError(CliErrorCode.BAD_ARGUMENT, `--base-port: ${validators} nodes need ports ${port} to ${last}, within 1 to 65535`, {
      name: "--base-port",
      first: port,
      last,
    });
  }
  return port;
}

/** The flags of `attesta devnet`, as given (strings), before defaults. */
export interface DevnetFlags {
  readonly validators?: string;
  readonly dir?: string;
  readonly basePort?: string;
  readonly logLevel?: string;
}

/** Flags with defaults applied and checked (BAD_ARGUMENT); `dir` made absolute so the restart commands work from anywhere. */
export function resolveDevnetOptions(flags: DevnetFlags, cwd: string): DevnetOptions {
  const validators = flags.validators !== undefined ? parseDevnetValidators(flags.validators) : DEVNET_DEFAULTS.validators;
  const basePort = parseDevnetBasePort(flags.basePort ?? String(DEVNET_DEFAULTS.basePort), validators);
  const logLevel = flags.logLevel ?? DEVNET_DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw cliError(CliErrorCode.BAD_ARGUMENT, `--log-level: expected ${LOG_LEVELS.join("|")}`, { name: "--log-level" });
  }
  if (flags.dir === "") throw cliError(CliErrorCode.BAD_ARGUMENT, "--dir: expected a directory", { name: "--dir" });
  return { validators, dir: resolve(cwd, flags.dir ?? DEVNET_DEFAULTS.dir), basePort, logLevel };
}

export const nodeName = (i: number): string => `node-${i}`;
export const nodeDataDir = (dir: string, i: number): string => join(dir, nodeName(i));
export const apiPortOf = (basePort: number, i: number): number => basePort + 2 * i;
export const p2pPortOf = (basePort: number, i: number): number => basePort + 2 * i + 1;

/**
 * Every node's plan. `cli` is the argv prefix that runs this same `attesta` (node, its flags,
 * the script); `peerIds[i]` is node i's libp2p peer id.
 */
export function planDevnet(opts: DevnetOptions, cli: readonly string[], peerIds: readonly string[]): DevnetNodePlan[] {
  if (peerIds.length !== opts.validators) throw new RangeError(`expected ${opts.validators} peer ids, got ${peerIds.length}`);
  const p2pAddresses = peerIds.map((id, i) => `/ip4/${DEVNET_HOST}/tcp/${p2pPortOf(opts.basePort, i)}/p2p/${id}`);
  return peerIds.map((_, i) => {
    const dataDir = nodeDataDir(opts.dir, i);
    const apiPort = apiPortOf(opts.basePort, i);
    const p2pPort = p2pPortOf(opts.basePort, i);
    const bootstrap = p2pAddresses.filter((_, j) => j !== i).flatMap((a) => ["--bootstrap", a]);
    return {
      name: nodeName(i),
      dataDir,
      apiPort,
      p2pPort,
      apiUrl: `http://${DEVNET_HOST}:${apiPort}`,
      p2pAddress: p2pAddresses[i]!,
      command: [
        ...cli,
        "start",
        "--validator",
        "--data-dir",
        dataDir,
        "--api-host",
        DEVNET_HOST,
        "--api-port",
        String(apiPort),
        "--p2p-listen",
        `/ip4/${DEVNET_HOST}/tcp/${p2pPort}`,
        "--no-mdns",
        ...bootstrap,
        "--log-level",
        opts.logLevel,
      ],
    };
  });
}

/** `<dir>/devnet.json`: what runs where, and how to restart one node alone. */
export interface DevnetManifest {
  readonly chainId: string;
  readonly genesis: string;
  readonly devKey: string;
  readonly nodes: readonly {
    readonly name: string;
    readonly apiUrl: string;
    readonly p2pAddress: string;
    readonly dataDir: string;
    readonly pid: number;
    readonly command: readonly string[];
  }[];
}

export function devnetManifest(
  chain: { readonly chainId: string; readonly genesis: string; readonly devKey: string },
  nodes: readonly DevnetNodePlan[],
  pids: readonly number[],
): DevnetManifest {
  return {
    chainId: chain.chainId,
    genesis: chain.genesis,
    devKey: chain.devKey,
    nodes: nodes.map((n, i) => ({ name: n.name, apiUrl: n.apiUrl, p2pAddress: n.p2pAddress, dataDir: n.dataDir, pid: pids[i]!, command: n.command })),
  };
}
