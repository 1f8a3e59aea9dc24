import { access, copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadOrCreateKeyFile, writeKeyFile } from "../crypto/keyFile.js";
import { generateKeyPair, type KeyPair } from "../crypto/keys.js";
import { genesisToJson, type Genesis, type GenesisAccount } from "../contracts/genesis.js";
import { ROLES } from "../contracts/modules/access.js";
import { validator } from "../contracts/modules/validators.js";
import { defaultChainParams } from "../contracts/params.js";
import { dataDirLayout } from "./options.js";

export interface InitOptions {
  readonly dataDir: string;
  /** Number of validator keys (default 1). With more than one, each gets `node-<i>/` with its key and the genesis. */
  readonly validators?: number;
  /** Give each validator `node-<i>/` even when there is only one (devnet), instead of `node.key` at the top. */
  readonly nodeDirs?: boolean;
  /** Fund a dev account holding every role, its key in `dev.key`. */
  readonly dev?: boolean;
  readonly chainId?: string;
}

export interface InitResult {
  readonly genesisPath: string;
  readonly nodeKeyPaths: string[];
  readonly devKeyPath?: string;
  /** False when the directory already held a genesis (nothing was written). */
  readonly created: boolean;
}

/** Balance of the dev account and of each validator's account in a fresh genesis. */
export const DEV_BALANCE = 1_000_000_000_000_000n;
export const VALIDATOR_BALANCE = 1_000_000_000n;

/** Whether a file or directory is there (and reachable). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes validator keys and one genesis into `dataDir` unless a genesis is already there. */
export async function initDataDir(opts: InitOptions): Promise<InitResult> {
  const layout = dataDirLayout(opts.dataDir);
  const count = opts.validators ?? 1;
  if (!Number.isSafeInteger(count) || count < 1 || count > 256) throw new RangeError("validators must be 1 to 256");
  const perNode = count > 1 || opts.nodeDirs === true;
  const nodeKeyPaths = !perNode ? [layout.nodeKey] : Array.from({ length: count }, (_, i) => dataDirLayout(join(opts.dataDir, `node-${i}`)).nodeKey);
  if (await exists(layout.genesis)) {
    const devKeyPath = opts.dev === true && (await exists(layout.devKey)) ? layout.devKey : undefined;
    return { genesisPath: layout.genesis, nodeKeyPaths, ...(devKeyPath !== undefined ? { devKeyPath } : {}), created: false };
  }
  await mkdir(opts.dataDir, { recursive: true });
  const keys: KeyPair[] = [];
  for (const path of nodeKeyPaths) keys.push(await loadOrCreateKeyFile(path, "secp256k1"));

  const accounts: GenesisAccount[] = keys.map((k) => ({ address: k.address, balance: VALIDATOR_BALANCE, roles: [] }));
  let devKeyPath: string | undefined;
  if (opts.dev === true) {
    const devKey = generateKeyPair("secp256k1");
    await writeKeyFile(layout.devKey, devKey);
    devKeyPath = layout.devKey;
    accounts.push({ address: devKey.address, balance: DEV_BALANCE, roles: [...ROLES] });
  } else if (accounts[0] !== undefined) {
    accounts[0] = { ...accounts[0], roles: ["admin"] };
  }
  const genesis: Genesis = {
    chainId: opts.chainId ?? (opts.dev === true ? "attesta-dev" : "attesta-local"),
    timestamp: Date.now(),
    validators: keys.map((k) => validator(k.publicKey)),
    accounts,
    params: defaultChainParams,
  };
  await writeFile(layout.genesis, JSON.stringify(genesisToJson(genesis), null, 2) + "\n");
  if (perNode) {
    for (const keyPath of nodeKeyPaths) await copyFile(layout.genesis, join(keyPath, "..", "genesis.json"));
  }
  return { genesisPath: layout.genesis, nodeKeyPaths, ...(devKeyPath !== undefined ? { devKeyPath } : {}), created: true };
}
