import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createServer } from "node:net";
import { parseGenesis } from "../contracts/genesis.js";
import { exists, initDataDir } from "../node/dataDir.js";
import { dataDirLayout } from "../node/options.js";
import { loadOrCreatePeerKey } from "../net/peerKey.js";
import { CliErrorCode, cliError } from "./cliErrors.js";
import { DEVNET_CHAIN_ID, DEVNET_HOST, nodeDataDir, type DevnetManifest } from "./devnetPlan.js";

/** The keys and genesis of a devnet directory, made on its first run and reused after. */
export interface DevnetChain {
  readonly chainId: string;
  readonly genesis: string;
  readonly devKey: string;
  /** False when the directory already held the chain (a restart). */
  readonly created: boolean;
  /** Each node's libp2p peer id, by index. */
  readonly peerIds: readonly string[];
}

/**
 * Writes (or, when `dir` has a genesis, checks) the devnet's files: `genesis.json` and `dev.key`
 * at the top, and for each node `node-<i>/` with its validator key (`node.key`), a copy of the
 * genesis and its peer key (`p2p.key`). A directory made for another number of validators is
 * refused (BAD_ARGUMENT), one missing a node's files too (NOT_INITIALISED).
 */
export async function prepareDevnet(dir: string, validators: number): Promise<DevnetChain> {
  const init = await initDataDir({ dataDir: dir, validators, dev: true, chainId: DEVNET_CHAIN_ID, nodeDirs: true });
  const layout = dataDirLayout(dir);
  const genesis = parseGenesis(JSON.parse(await readFile(layout.genesis, "utf8")));
  if (genesis.validators.length !== validators) {
    throw cliError(
      CliErrorCode.BAD_ARGUMENT,
      `${dir} holds a chain of ${genesis.validators.length} validators: run with --validators ${genesis.validators.length}, or choose another --dir`,
      { name: "--validators", dir, validators: genesis.validators.length },
    );
  }
  const missing: string[] = [];
  for (const path of [layout.devKey, ...Array.from({ length: validators }, (_, i) => dataDirLayout(nodeDataDir(dir, i))).flatMap((l) => [l.nodeKey, l.genesis])]) {
    if (!(await exists(path))) missing.push(path);
  }
  if (missing.length > 0) {
    throw cliError(CliErrorCode.NOT_INITIALISED, `${dir} has a genesis but is not a devnet directory (missing ${missing[0]!})`, { dir, missing });
  }
  const peerIds: string[] = [];
  for (let i = 0; i < validators; i++) peerIds.push((await loadOrCreatePeerKey(dataDirLayout(nodeDataDir(dir, i)).p2pKey)).peerId);
  return { chainId: genesis.chainId, genesis: layout.genesis, devKey: layout.devKey, created: init.created, peerIds };
}

/** Fails with ADDRESS_IN_USE, naming the port, unless every port is free on 127.0.0.1. */
export async function checkPortsFree(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          err.code === "EADDRINUSE"
            ? cliError(CliErrorCode.ADDRESS_IN_USE, `port ${port} on ${DEVNET_HOST} is in use (another devnet? choose --base-port)`, { port })
            : err,
        ),
      );
      server.listen(port, DEVNET_HOST, () => server.close(() => resolve()));
    });
  }
}

export const manifestPath = (dir: string): string => join(dir, "devnet.json");

/** Writes `<dir>/devnet.json` whole or not at all (a temporary file renamed over it). */
export async function writeManifest(dir: string, manifest: DevnetManifest): Promise<string> {
  const path = manifestPath(dir);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + "\n");
  await rename(tmp, path);
  return path;
}
