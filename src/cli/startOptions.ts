import { readFile } from "node:fs/promises";
import { defaultApiOptions, type ApiOptions } from "../api/options.js";
import { defaultNodeOptions, type NodeOptions } from "../node/options.js";
import { CliErrorCode, cliError } from "./cliErrors.js";

// How `attesta start` resolves its options: flags over environment variables (ATTESTA_*)
// over `config.json` in the data directory over defaults. Pure, apart from reading the file.

/** Flags as given on the command line; undefined when not given. */
export interface StartFlags {
  readonly dataDir?: string;
  readonly dev?: boolean;
  readonly validator?: boolean;
  readonly apiHost?: string;
  readonly apiPort?: string;
  readonly logLevel?: string;
  /** `--validator` given: refuse to start unless the node key is in the validator set. */
  readonly requireValidator?: boolean;
  readonly p2p?: boolean;
  readonly p2pListen?: readonly string[];
  readonly p2pAnnounce?: readonly string[];
  readonly bootstrap?: readonly string[];
  readonly mdns?: boolean;
}

/** `config.json`: every key optional, nothing else allowed. */
export interface ConfigFile {
  readonly dev?: boolean;
  readonly validator?: boolean;
  readonly logLevel?: string;
  readonly apiHost?: string;
  readonly apiPort?: number;
  readonly maxBodyBytes?: number;
  readonly mempoolMaxTxs?: number;
  readonly mempoolMaxBytes?: number;
  readonly maxClockSkewMs?: number;
  readonly verifyWorkers?: number;
  readonly p2p?: boolean;
  readonly p2pListen?: readonly string[];
  readonly p2pAnnounce?: readonly string[];
  readonly bootstrap?: readonly string[];
  readonly mdns?: boolean;
}

export interface StartOptions {
  readonly node: NodeOptions;
  readonly api: ApiOptions;
}

export const ENV = {
  dataDir: "ATTESTA_DATA_DIR",
  apiHost: "ATTESTA_API_HOST",
  apiPort: "ATTESTA_API_PORT",
  logLevel: "ATTESTA_LOG_LEVEL",
  dev: "ATTESTA_DEV",
  p2pListen: "ATTESTA_P2P_LISTEN",
  bootstrap: "ATTESTA_BOOTSTRAP",
} as const;

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

type Env = Readonly<Record<string, string | undefined>>;

const CONFIG_TYPES: Readonly<Record<keyof ConfigFile, "boolean" | "string" | "count" | "strings">> = {
  dev: "boolean",
  validator: "boolean",
  logLevel: "string",
  apiHost: "string",
  apiPort: "count",
  maxBodyBytes: "count",
  mempoolMaxTxs: "count",
  mempoolMaxBytes: "count",
  maxClockSkewMs: "count",
  verifyWorkers: "count",
  p2p: "boolean",
  p2pListen: "strings",
  p2pAnnounce: "strings",
  bootstrap: "strings",
  mdns: "boolean",
};

function badArgument(source: string, name: string, expected: string): never {
  throw cliError(CliErrorCode.BAD_ARGUMENT, `${name} (${source}): expected ${expected}`, { source, name });
}

function port(value: string, source: string, name: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) badArgument(source, name, "a port number 0..65535");
  return n;
}

function boolEnv(value: string, name: string): boolean {
  if (["1", "true", "yes"].includes(value.toLowerCase())) return true;
  if (["0", "false", "no", ""].includes(value.toLowerCase())) return false;
  return badArgument("env", name, "1/true or 0/false");
}

function logLevel(value: string, source: string, name: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) badArgument(source, name, LOG_LEVELS.join("|"));
  return value;
}

/** Checks parsed `config.json`; any unknown key or wrong type is BAD_CONFIG. */
export function checkConfigFile(value: unknown): ConfigFile {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw cliError(CliErrorCode.BAD_CONFIG, "config.json must hold a JSON object");
  }
  for (const [key, v] of Object.entries(value)) {
    const type = CONFIG_TYPES[key as keyof ConfigFile];
    if (type === undefined) throw cliError(CliErrorCode.BAD_CONFIG, `config.json: unknown key ${key}`, { key });
    const ok =
      type === "count" ? Number.isSafeInteger(v) && (v as number) >= 0
      : type === "strings" ? Array.isArray(v) && v.every((item) => typeof item === "string")
      : typeof v === type;
    const expected = type === "count" ? "non-negative integer" : type === "strings" ? "list of strings" : type;
    if (!ok) throw cliError(CliErrorCode.BAD_CONFIG, `config.json: ${key} must be a ${expected}`, { key });
  }
  const config = value as ConfigFile;
  if (config.logLevel !== undefined) logLevel(config.logLevel, "config", "logLevel");
  if (config.apiPort !== undefined && config.apiPort > 65535) badArgument("config", "apiPort", "a port number 0..65535");
  return config;
}

/** A comma-separated list from the environment; empty items dropped. */
function listEnv(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Reads `config.json`; undefined when there is none. */
export async function readConfigFile(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw cliError(CliErrorCode.BAD_CONFIG, `${path} is not valid JSON`, { path });
  }
  return checkConfigFile(parsed);
}

/** The data directory: flag, then ATTESTA_DATA_DIR, then the default (config.json lives inside it). */
export function resolveDataDir(flags: Pick<StartFlags, "dataDir">, env: Env): string {
  return flags.dataDir ?? env[ENV.dataDir] ?? defaultNodeOptions.dataDir;
}

export function resolveStartOptions(input: { flags: StartFlags; env: Env; config?: ConfigFile }): StartOptions {
  const { flags, env } = input;
  const config = input.config ?? {};
  const envDev = env[ENV.dev];
  const envPort = env[ENV.apiPort];
  const envLevel = env[ENV.logLevel];

  const node: NodeOptions = {
    ...defaultNodeOptions,
    dataDir: resolveDataDir(flags, env),
    dev: flags.dev ?? (envDev !== undefined ? boolEnv(envDev, ENV.dev) : undefined) ?? config.dev ?? defaultNodeOptions.dev,
    validator: flags.validator ?? config.validator ?? defaultNodeOptions.validator,
    logLevel:
      (flags.logLevel !== undefined ? logLevel(flags.logLevel, "flag", "--log-level") : undefined) ??
      (envLevel !== undefined ? logLevel(envLevel, "env", ENV.logLevel) : undefined) ??
      config.logLevel ??
      defaultNodeOptions.logLevel,
    mempoolMaxTxs: config.mempoolMaxTxs ?? defaultNodeOptions.mempoolMaxTxs,
    mempoolMaxBytes: config.mempoolMaxBytes ?? defaultNodeOptions.mempoolMaxBytes,
    maxClockSkewMs: config.maxClockSkewMs ?? defaultNodeOptions.maxClockSkewMs,
    verifyWorkers: config.verifyWorkers ?? defaultNodeOptions.verifyWorkers,
    requireValidator: flags.requireValidator ?? false,
    p2p: {
      enabled: flags.p2p ?? config.p2p ?? defaultNodeOptions.p2p.enabled,
      listen: flags.p2pListen ?? listEnv(env[ENV.p2pListen]) ?? config.p2pListen ?? defaultNodeOptions.p2p.listen,
      announce: flags.p2pAnnounce ?? config.p2pAnnounce ?? defaultNodeOptions.p2p.announce,
      bootstrap: flags.bootstrap ?? listEnv(env[ENV.bootstrap]) ?? config.bootstrap ?? defaultNodeOptions.p2p.bootstrap,
      mdns: flags.mdns ?? config.mdns ?? defaultNodeOptions.p2p.mdns,
    },
  };
  const api: ApiOptions = {
    host: flags.apiHost ?? env[ENV.apiHost] ?? config.apiHost ?? defaultApiOptions.host,
    port:
      (flags.apiPort !== undefined ? port(flags.apiPort, "flag", "--api-port") : undefined) ??
      (envPort !== undefined ? port(envPort, "env", ENV.apiPort) : undefined) ??
      config.apiPort ??
      defaultApiOptions.port,
    maxBodyBytes: config.maxBodyBytes ?? defaultApiOptions.maxBodyBytes,
  };
  return { node, api };
}
