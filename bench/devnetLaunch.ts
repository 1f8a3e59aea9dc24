// `attesta devnet` from the built CLI (call buildCli first) for benchmarks: started on a base
// port whose ports are free, awaited until every node answers and blocks are being finalized,
// and stopped by the pid of the devnet process this started (which stops its nodes).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DevnetManifest } from "../src/cli/devnetPlan.js";
import { AttestaClient, readKeyFile, type KeyPair } from "../src/client/index.js";
import { isAlive, spawnCli, type CliProcess } from "../test/fixtures/cli.js";
import { freePort, removeDir, tempDir, waitFor } from "../test/fixtures/node.js";

export interface RunningDevnet {
  readonly manifest: DevnetManifest;
  /** One client per node, in manifest order. */
  readonly clients: readonly AttestaClient[];
  /** Each node's pid, in manifest order. */
  readonly pids: readonly number[];
  /** The `attesta devnet` process itself. */
  readonly supervisorPid: number;
  readonly devKey: KeyPair;
  readonly chainId: string;
  readonly feePerByte: bigint;
  /** SIGTERM to the devnet process (it stops its nodes), then any node left is sent SIGTERM by pid; removes the directory. */
  stop(): Promise<void>;
}

async function stopDevnet(proc: CliProcess, nodePids: readonly number[], dir: string): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGTERM");
  await proc.exited;
  // The devnet stops its nodes before it exits; a node left behind (the devnet died hard) is ours to stop.
  for (const pid of nodePids) if (isAlive(pid)) process.kill(pid, "SIGTERM");
  await waitFor(async () => (nodePids.some(isAlive) ? undefined : true), 15_000, 100).catch(() => undefined);
  await removeDir(dir);
}

/** devnet.json once written, "exited" if the devnet ended first, undefined while it is still starting. */
async function manifestOrExit(proc: CliProcess, dir: string): Promise<DevnetManifest | "exited" | undefined> {
  if (proc.child.exitCode !== null) return "exited";
  try {
    return JSON.parse(await readFile(join(dir, "devnet.json"), "utf8")) as DevnetManifest;
  } catch {
    return undefined;
  }
}

/**
 * `attesta devnet --validators n` in a fresh temporary directory; retries on another base port
 * when one of its 2n ports was taken meanwhile (the devnet refuses with ADDRESS_IN_USE before
 * starting a node). Resolves once every node answers and a block is final at each.
 */
export async function startDevnet(validators: number, logLevel = "warn"): Promise<RunningDevnet> {
  for (let attempt = 0; ; attempt++) {
    const dir = await tempDir("attesta-bench-devnet-");
    const base = await freePort();
    // BENCH_DEVNET_NODE_ARGS: Node.js flags for the validators, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const nodeArgs = (process.env.BENCH_DEVNET_NODE_ARGS ?? "").split(" ").filter((a) => a !== "").map((a) => `--node-arg=${a}`);
    const proc = spawnCli(["devnet", "--validators", String(validators), "--dir", dir, "--base-port", String(base), "--log-level", logLevel, ...nodeArgs]);
    let pids: number[] = [];
    try {
      const manifest = await waitFor(() => manifestOrExit(proc, dir), 30_000, 100);
      if (manifest === "exited") {
        const stderr = proc.output().stderr;
        await stopDevnet(proc, [], dir);
        if (attempt < 5 && stderr.includes("ADDRESS_IN_USE")) continue;
        throw new Error(`devnet exited ${proc.child.exitCode}: ${stderr.slice(-800)}`);
      }
      pids = manifest.nodes.map((n) => n.pid);
      const clients = manifest.nodes.map((n) => new AttestaClient({ url: n.apiUrl, timeoutMs: 60_000 }));
      const statuses = await Promise.all(clients.map((c) => waitFor(async () => {
            const s = await c.status();
            return s.finalizedHeight >= 1 ? s : undefined;
          }, 60_000, 200),
        ));
      const devKey = await readKeyFile(manifest.devKey);
      const first = statuses[0]!;
      return {
        manifest,
        clients,
        pids,
        supervisorPid: proc.child.pid!,
        devKey,
        chainId: first.chainId,
        feePerByte: first.params.feePerByte,
        stop: () => stopDevnet(proc, pids, dir),
      };
    } catch (err) {
      await stopDevnet(proc, pids, dir);
      throw err;
    }
  }
}
