import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { AttestaClient, generateKeyPair, readKeyFile, toHex, type KeyPair, type TransferResult } from "../../src/client/index.js";
import { buildCli, runCli, spawnCli, type CliProcess } from "../fixtures/cli.js";
import { freePort, removeDir, tempDir, waitFor } from "../fixtures/node.js";

// The built `attesta` command end to end: start a dev node, use it through the SDK and the
// CLI, stop it with SIGTERM, start it again and check the chain goes on.

const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(args, 20_000);

function startCli(dataDir: string, port: number): CliProcess {
  return spawnCli(["start", "--dev", "--data-dir", dataDir, "--api-port", String(port), "--p2p-listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"], { ATTESTA_LOG_LEVEL: "info" });
}

const children: ChildProcess[] = [];
let dataDir: string;
let port: number;
let client: AttestaClient;
let devKey: KeyPair;

beforeAll(async () => {
  // Type errors elsewhere in the tree (other work in progress) do not stop tsc from emitting.
  await buildCli();
  dataDir = await tempDir("attesta-e2e-");
  port = await freePort();
  client = new AttestaClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 5_000 });
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (dataDir !== undefined) await removeDir(dataDir);
});

describe("attesta CLI", () => {
  let heightAtStop = 0;
  let genesisHash = "";

  it("starts a dev node that serves the API and warns about the dev key", async () => {
    const node = startCli(dataDir, port);
    children.push(node.child);
    const status = await waitFor(() => client.status(), 15_000);
    genesisHash = status.genesisHash;
    expect(status.mode).toBe("validator");
    const devKeyPath = join(dataDir, "dev.key");
    await waitFor(async () => (node.output().stderr.includes(devKeyPath) ? true : undefined), 5_000);
    devKey = await readKeyFile(join(dataDir, "dev.key"));
  });

  it("takes transfers through the SDK and reads them back", async () => {
    const to = generateKeyPair().address;
    const sent: TransferResult[] = [];
    for (const amount of [10n, 20n, 30n]) sent.push(await client.transfer(devKey, to, amount));
    const last = await client.waitForTx(sent[2]!.hash, { until: "final", timeoutMs: 15_000, pollMs: 50 });
    expect(last.receipt?.status).toBe("ok");
    expect((await client.account(to)).balance).toBe(60n);

    const first = await client.txStatus(sent[0]!.hash);
    expect(first.status).toBe("final");
    const block = await client.block(first.height!, { txs: true });
    const inBlock = block.txs?.find((tx) => tx.hash === sent[0]!.hash);
    expect(inBlock).toMatchObject({ sender: toHex(devKey.address), kind: "accounts.transfer", args: [toHex(to), "10"], receipt: { status: "ok" } });
  });

  it("runs keys new, status and tx transfer --wait as commands", async () => {
    const keyPath = join(dataDir, "alice.key");
    const made = await cli("keys", "new", "--type", "secp256k1", "--out", keyPath, "--json");
    expect(made.code).toBe(0);
    const alice = JSON.parse(made.stdout) as Record<string, string>;
    expect(Object.keys(alice).sort()).toEqual(["address", "publicKey", "type"]);
    expect(made.stdout).not.toContain("secret");
    expect((await cli("keys", "new", "--out", keyPath, "--json")).code).toBe(1); // never overwrites

    const shown = await cli("keys", "show", keyPath, "--json");
    expect(JSON.parse(shown.stdout)).toEqual(alice);

    const api = `http://127.0.0.1:${port}`;
    const status = await cli("status", "--api", api, "--json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ genesisHash, mode: "validator" });

    const sent = await cli("tx", "transfer", "--key", join(dataDir, "dev.key"), "--to", alice.address!, "--amount", "5000", "--wait", "--api", api, "--json");
    expect(sent.code).toBe(0);
    const result = JSON.parse(sent.stdout);
    expect(["included", "final"]).toContain(result.status.status);
    expect(result.status.receipt.status).toBe("ok");
    expect((await client.account(alice.address!)).balance).toBe(5000n);

    // Alice can pay the fee but not the amount: the receipt fails, the command exits 1 with its code.
    const failed = await cli("tx", "transfer", "--key", keyPath, "--to", toHex(devKey.address), "--amount", "1000000", "--wait", "--api", api, "--json");
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stderr).error.code).toBe("INSUFFICIENT_FUNDS");

    const unreachable = await cli("status", "--api", `http://127.0.0.1:${await freePort()}`);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error UNREACHABLE: /);
  });

  it("stops on SIGTERM with exit status 0", async () => {
    heightAtStop = (await client.status()).height;
    const node = children[0]!;
    const exited = new Promise<number | null>((resolve) => node.once("exit", (code) => resolve(code)));
    node.kill("SIGTERM");
    expect(await exited).toBe(0);
    await expect(client.status()).rejects.toMatchObject({ code: "UNREACHABLE" });
  });

  it("restarts on the same data directory and continues the chain", async () => {
    const node = startCli(dataDir, port);
    children.push(node.child);
    const status = await waitFor(() => client.status(), 15_000);
    expect(status.genesisHash).toBe(genesisHash);
    expect(status.height).toBeGreaterThanOrEqual(heightAtStop);
    expect(node.output().stderr).not.toContain("dev.key"); // no warning: nothing was created

    const { hash } = await client.transfer(devKey, devKey.address, 1n);
    const included = await client.waitForTx(hash, { timeoutMs: 15_000, pollMs: 50 });
    expect(included.height).toBeGreaterThan(heightAtStop);

    node.child.kill("SIGTERM");
    expect(await node.exited).toBe(0);
  });
});
