import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttestaClient, buildTransaction, generateKeyPair, readKeyFile, transferArgs, type KeyPair } from "../../src/client/index.js";
import { parseGenesis } from "../../src/contracts/genesis.js";
import { ChainStore } from "../../src/ledger/storage/chainStore.js";
import { replayChain } from "../../src/node/replay.js";
import { buildCli, spawnCli, type CliProcess } from "../fixtures/cli.js";
import { freePort, removeDir, silentLogger, tempDir, waitFor } from "../fixtures/node.js";

// SIGKILL a node, again and again, at random moments while transfers stream in through the
// API; after each restart nothing that was final is lost, and at the end a replay from
// genesis reproduces the stored head and the stored state hashes to its root.
// SHORT=1 (CI) runs 3 kills; the full suite 12.

const KILLS = process.env.SHORT === "1" ? 3 : 12;
const running: CliProcess[] = [];
let dataDir: string;

beforeAll(async () => {
  await buildCli();
  dataDir = await tempDir("attesta-crash-");
}, 200_000);

afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  if (dataDir !== undefined) await removeDir(dataDir);
});

async function startNode(port: number): Promise<{ proc: CliProcess; client: AttestaClient }> {
  const proc = spawnCli(["start", "--dev", "--no-p2p", "--data-dir", dataDir, "--api-port", String(port), "--log-level", "warn"]);
  running.push(proc);
  const client = new AttestaClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 5_000 });
  await waitFor(() => client.status(), 20_000, 100);
  return { proc, client };
}

/** Streams batches of transfers for `ms`, returning the hashes the node reported final meanwhile. */
async function load(client: AttestaClient, dev: KeyPair, ms: number): Promise<string[]> {
  const { chainId, feePerByte } = await client.chainParams();
  const sent: string[] = [];
  const final: string[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const { pendingNonce } = await client.account(dev.address);
    const txs = Array.from({ length: 16 }, (_, i) =>
      buildTransaction({ chainId, kind: "accounts.transfer", args: transferArgs(generateKeyPair().address, 1n), key: dev, nonce: pendingNonce + i, feePerByte }),
    );
    for (const r of await client.submitBatch(txs)) if ("hash" in r) sent.push(r.hash);
    for (const hash of sent.slice(-32)) if ((await client.txStatus(hash).catch(() => undefined))?.status === "final") final.push(hash);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return final;
}

describe("crash safety under load", () => {
  it(`survives ${KILLS} SIGKILLs with nothing final lost, and a replay from genesis matches`, async () => {
    const port = await freePort();
    const finalSoFar: string[] = [];
    let finalizedBefore = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const { proc, client } = await startNode(port);
      const status = await client.status();
      expect(status.height).toBeGreaterThanOrEqual(finalizedBefore);
      for (const hash of finalSoFar.slice(-20)) expect((await client.txStatus(hash)).status).toBe("final");
      const dev = await readKeyFile(join(dataDir, "dev.key"));
      finalSoFar.push(...(await load(client, dev, 1_200 + Math.floor(Math.random() * 1_800))));
      finalizedBefore = (await client.status()).finalizedHeight;
      proc.child.kill("SIGKILL");
      await proc.exited;
    }
    const { proc, client } = await startNode(port);
    for (const hash of finalSoFar) expect((await client.txStatus(hash)).status).toBe("final");
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);

    expect(finalSoFar.length).toBeGreaterThan(0);
    const genesis = parseGenesis(JSON.parse(await readFile(join(dataDir, "genesis.json"), "utf8")));
    const store = await ChainStore.open(join(dataDir, "db"));
    const scratch = await tempDir("attesta-replay-");
    try {
      const report = await replayChain(store, genesis, join(scratch, "db"), silentLogger);
      expect(report.height).toBeGreaterThan(KILLS);
      expect(report).toMatchObject({ headMatches: true, stateValuesMatch: true });
    } finally {
      await store.close();
      await removeDir(scratch);
    }
  }, 600_000);
});
