import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttestaClient, buildTransaction, generateKeyPair, readKeyFile, transferArgs, type KeyPair } from "../../src/client/index.js";
import type { DevnetManifest } from "../../src/cli/devnetPlan.js";
import { buildCli, cleanEnv, freeBasePort, isAlive, spawnCli, type CliProcess } from "../fixtures/cli.js";
import { removeDir, tempDir, waitFor } from "../fixtures/node.js";

// Four validator processes started by `attesta devnet`, talking over libp2p on 127.0.0.1.
// One is SIGKILLed while transfers keep flowing: the other three keep finalizing; restarted
// alone from its devnet.json command, it catches up and its signature is back in the
// certificates. Every node has the same hash at every final height throughout.

const VALIDATORS = 4;
let dir: string;
let devnet: CliProcess | undefined;
const extra: ChildProcess[] = [];
let manifest: DevnetManifest;
let clients: AttestaClient[];
let dev: KeyPair;

beforeAll(async () => {
  await buildCli();
  dir = await tempDir("attesta-devnet-net-");
  const base = await freeBasePort(2 * VALIDATORS);
  devnet = spawnCli(["devnet", "--validators", String(VALIDATORS), "--dir", dir, "--base-port", String(base), "--log-level", "warn"]);
  manifest = await waitFor(async () => JSON.parse(await readFile(join(dir, "devnet.json"), "utf8")) as DevnetManifest, 20_000);
  clients = manifest.nodes.map((n) => new AttestaClient({ url: n.apiUrl, timeoutMs: 3_000 }));
  await Promise.all(clients.map((c) => waitFor(() => c.status(), 20_000)));
  dev = await readKeyFile(manifest.devKey);
}, 240_000);

afterAll(async () => {
  for (const child of extra) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (devnet !== undefined && devnet.child.exitCode === null) {
    devnet.child.kill("SIGTERM");
    await Promise.race([devnet.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  }
  for (const n of manifest?.nodes ?? []) if (isAlive(n.pid)) process.kill(n.pid, "SIGKILL");
  if (dir !== undefined) await removeDir(dir);
}, 30_000);

/** Sends one transfer to node `via` (any live node); blocks come only with transactions (the heartbeat is 30 s). */
async function nudge(via: number): Promise<void> {
  const client = clients[via] as AttestaClient;
  const { chainId, feePerByte } = await client.chainParams();
  const { pendingNonce } = await client.account(dev.address);
  const tx = buildTransaction({ chainId, kind: "accounts.transfer", args: transferArgs(generateKeyPair().address, 1n), key: dev, nonce: pendingNonce, feePerByte });
  await client.submitBatch([tx]);
}

/** Keeps transactions flowing through `via` until `done` holds. */
async function driveUntil(via: number[], done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let i = 0;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await nudge(via[i++ % via.length] as number).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const finalizedOf = async (i: number): Promise<number> => (await (clients[i] as AttestaClient).status()).finalizedHeight;

async function expectSameHashes(nodes: number[], upTo: number): Promise<void> {
  for (let h = 1; h <= upTo; h++) {
    const hashes = await Promise.all(nodes.map(async (i) => (await (clients[i] as AttestaClient).block(h)).hash));
    expect(new Set(hashes).size, `height ${h}`).toBe(1);
  }
}

describe("a devnet of four validator processes", () => {
  it("finalizes blocks, and every node reports the same hash for every final height", async () => {
    await driveUntil([0, 1, 2, 3], async () => Math.min(...(await Promise.all([0, 1, 2, 3].map(finalizedOf)))) >= 5, 60_000);
    await expectSameHashes([0, 1, 2, 3], 5);
    const status = await (clients[0] as AttestaClient).status();
    expect(status.network?.peers).toBe(3);
  });

  it("keeps finalizing with one validator SIGKILLed, and the restarted one catches up and votes again", async () => {
    const victim = manifest.nodes[3] as DevnetManifest["nodes"][number];
    process.kill(victim.pid, "SIGKILL");
    const before = Math.max(...(await Promise.all([0, 1, 2].map(finalizedOf))));
    await driveUntil([0, 1, 2], async () => Math.min(...(await Promise.all([0, 1, 2].map(finalizedOf)))) >= before + 4, 90_000);

    const [file, ...args] = victim.command;
    const restarted = spawn(file as string, args, { env: cleanEnv, stdio: "ignore" });
    extra.push(restarted);
    await waitFor(() => (clients[3] as AttestaClient).status(), 20_000);
    const caughtUpTo = Math.max(...(await Promise.all([0, 1, 2].map(finalizedOf))));
    await driveUntil([0, 1, 2], async () => (await finalizedOf(3)) >= caughtUpTo, 60_000);

    // Voting again: its signature (index 3 in the set) shows up in a certificate made after its return.
    const from = await finalizedOf(0);
    let signedAgain = false;
    await driveUntil(
      [0, 1, 2, 3],
      async () => {
        const head = await finalizedOf(0);
        for (let h = from + 1; h <= head && !signedAgain; h++) {
          const commit = (await (clients[0] as AttestaClient).block(h)).commit;
          signedAgain = commit?.signatures.some((s) => s.index === 3) ?? false;
        }
        return signedAgain;
      },
      90_000,
    );
    const upTo = Math.min(...(await Promise.all([0, 1, 2, 3].map(finalizedOf))));
    await expectSameHashes([0, 1, 2, 3], upTo);
    restarted.kill("SIGTERM");
  });
});
