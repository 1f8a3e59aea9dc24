import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AttestaClient, readKeyFile } from "../../src/client/index.js";
import type { DevnetManifest } from "../../src/cli/devnetPlan.js";
import { buildCli, cleanEnv, freeBasePort, isAlive, spawnCli, type CliProcess } from "../fixtures/cli.js";
import { removeDir, tempDir, waitFor } from "../fixtures/node.js";

// `attesta devnet` end to end: two validator processes on loopback, their devnet.json, their
// APIs, one prefixed log stream, and SIGTERM stopping all of them. Whether the nodes reach each
// other (blocks finalized across nodes) belongs to the network's own tests.

const VALIDATORS = 2;

let dir: string;
let basePort: number;
/** Node pids not yet seen to exit: killed in afterAll if a failed test left one behind. */
const nodePids = new Set<number>();
/** Every node pid a devnet.json has named, to tell a new devnet.json from an old one. */
const seenPids = new Set<number>();
const devnets: CliProcess[] = [];

function startDevnet(): CliProcess {
  const devnet = spawnCli(["devnet", "--validators", String(VALIDATORS), "--dir", dir, "--base-port", String(basePort)]);
  devnets.push(devnet);
  return devnet;
}

/** devnet.json once it names none of `notPids` (so a newer file than a previous run's). */
async function readManifest(notPids: ReadonlySet<number> = new Set()): Promise<DevnetManifest> {
  return waitFor(async () => {
    const m = JSON.parse(await readFile(join(dir, "devnet.json"), "utf8")) as DevnetManifest;
    if (m.nodes.some((n) => notPids.has(n.pid))) return undefined;
    for (const n of m.nodes) {
      nodePids.add(n.pid);
      seenPids.add(n.pid);
    }
    return m;
  }, 15_000);
}

async function statuses(m: DevnetManifest) {
  return Promise.all(m.nodes.map((n) => waitFor(() => new AttestaClient({ url: n.apiUrl, timeoutMs: 2_000 }).status(), 15_000)));
}

async function stopWithSigterm(devnet: CliProcess, m: DevnetManifest): Promise<void> {
  devnet.child.kill("SIGTERM");
  expect(await devnet.exited).toBe(0);
  for (const n of m.nodes) {
    expect(isAlive(n.pid), `${n.name} (pid ${n.pid}) still running`).toBe(false);
    nodePids.delete(n.pid);
  }
}

beforeAll(async () => {
  await buildCli();
  dir = await tempDir("attesta-devnet-");
  basePort = await freeBasePort(2 * VALIDATORS);
}, 180_000);

afterAll(async () => {
  for (const d of devnets) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill("SIGKILL");
  for (const pid of nodePids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  if (dir !== undefined) await removeDir(dir);
});

describe("attesta devnet", () => {
  let genesisHash = "";

  it("starts one process per validator, writes devnet.json and the dev key, and stops them all on SIGTERM", async () => {
    const devnet = startDevnet();
    const m = await readManifest();
    expect(m.chainId).toBe("attesta-devnet");
    expect(m.devKey).toBe(join(dir, "dev.key"));
    expect(m.genesis).toBe(join(dir, "genesis.json"));
    await readKeyFile(m.devKey);
    expect(m.nodes.map((n) => n.name)).toEqual(["node-0", "node-1"]);
    m.nodes.forEach((n, i) => {
      expect(n.apiUrl).toBe(`http://127.0.0.1:${basePort + 2 * i}`);
      expect(n.p2pAddress).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/${basePort + 2 * i + 1}/p2p/12D3KooW\\w+$`));
      expect(n.dataDir).toBe(join(dir, `node-${i}`));
      expect(n.command).toEqual(expect.arrayContaining(["start", "--validator", "--data-dir", n.dataDir]));
      expect(n.command).toContain(m.nodes[1 - i]!.p2pAddress);
      expect(isAlive(n.pid)).toBe(true);
      expect(n.command).toEqual(expect.arrayContaining(["--max-old-space-size=144", "--max-semi-space-size=16"]));
    });
    // Each node runs with the memory settings (Linux: the process's own view of its environment).
    for (const n of m.nodes) {
      const environ = (await readFile(`/proc/${n.pid}/environ`, "latin1")).split("\0");
      expect(environ).toContain("MALLOC_ARENA_MAX=2");
    }

    const [s0, s1] = await statuses(m);
    expect(s0!.chainId).toBe("attesta-devnet");
    expect(s1!.chainId).toBe("attesta-devnet");
    expect(s1!.genesisHash).toBe(s0!.genesisHash);
    expect(s0!.validators).toHaveLength(VALIDATORS);
    expect(s0!.mode).toBe("validator");
    genesisHash = s0!.genesisHash;

    await waitFor(async () => {
      const lines = devnet.output().stdout.split("\n");
      return ["node-0 | ", "node-1 | "].every((p) => lines.some((l) => l.startsWith(p))) ? true : undefined;
    }, 10_000);
    const unprefixed = devnet.output().stdout.split("\n").filter((l) => l !== "" && !/^node-[01] \| /.test(l));
    expect(unprefixed).toEqual([]);

    await stopWithSigterm(devnet, m);
  });

  it("restarts the same chain from the same directory", async () => {
    const devnet = startDevnet();
    const m = await readManifest(seenPids);
    const all = await statuses(m);
    for (const s of all) expect(s.genesisHash).toBe(genesisHash);
    expect(devnet.output().stderr).toContain("restarting chain attesta-devnet");
    await stopWithSigterm(devnet, m);
  });

  it("reports a node that dies, keeps the others, and its devnet.json command restarts it alone", async () => {
    const devnet = startDevnet();
    const m = await readManifest(seenPids);
    await statuses(m);
    const [node0, node1] = m.nodes;
    process.kill(node1!.pid, "SIGKILL");
    await waitFor(async () => (devnet.output().stderr.includes(`node-1 (pid ${node1!.pid}) exited on its own (signal SIGKILL)`) ? true : undefined));
    nodePids.delete(node1!.pid);
    expect(isAlive(node0!.pid)).toBe(true);
    expect(devnet.child.exitCode).toBeNull();

    const [file, ...args] = node1!.command;
    const alone = spawn(file!, args, { env: cleanEnv, stdio: "ignore" });
    nodePids.add(alone.pid!);
    const exited = new Promise((resolve) => alone.once("exit", resolve));
    const status = await waitFor(() => new AttestaClient({ url: node1!.apiUrl, timeoutMs: 2_000 }).status(), 15_000);
    expect(status.genesisHash).toBe(genesisHash);
    alone.kill("SIGTERM");
    await exited;
    nodePids.delete(alone.pid!);

    await stopWithSigterm(devnet, { ...m, nodes: [node0!] });
  });
});
