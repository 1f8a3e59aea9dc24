import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { checkPortsFree, prepareDevnet, writeManifest } from "../../../src/cli/devnetFiles.js";
import { removeDir, tempDir } from "../../fixtures/node.js";

const dirs: string[] = [];
async function devnetDir(): Promise<string> {
  const dir = await tempDir("attesta-devnet-files-");
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

describe("prepareDevnet", () => {
  it("gives even a lone validator node-0/ with its key, the genesis and its peer key, plus dev.key at the top", async () => {
    const dir = await devnetDir();
    const chain = await prepareDevnet(dir, 1);
    expect(chain).toMatchObject({ chainId: "attesta-devnet", genesis: join(dir, "genesis.json"), devKey: join(dir, "dev.key"), created: true });
    for (const file of ["node.key", "genesis.json", "p2p.key"]) expect(existsSync(join(dir, "node-0", file))).toBe(true);
    expect(existsSync(join(dir, "node.key"))).toBe(false);
    expect(chain.peerIds).toHaveLength(1);
  });

  it("reuses the chain and the peer ids on a second run", async () => {
    const dir = await devnetDir();
    const first = await prepareDevnet(dir, 3);
    const genesis = await readFile(first.genesis, "utf8");
    const second = await prepareDevnet(dir, 3);
    expect(second.created).toBe(false);
    expect(second.peerIds).toEqual(first.peerIds);
    expect(new Set(second.peerIds).size).toBe(3);
    expect(await readFile(second.genesis, "utf8")).toBe(genesis);
  });

  it("refuses another number of validators than the directory's chain has: BAD_ARGUMENT", async () => {
    const dir = await devnetDir();
    await prepareDevnet(dir, 2);
    await expect(prepareDevnet(dir, 3)).rejects.toMatchObject({ code: "BAD_ARGUMENT" });
  });

  it("refuses a directory with a genesis but a node's key missing: NOT_INITIALISED", async () => {
    const dir = await devnetDir();
    await prepareDevnet(dir, 2);
    await rm(join(dir, "node-1", "node.key"));
    await expect(prepareDevnet(dir, 2)).rejects.toMatchObject({ code: "NOT_INITIALISED" });
  });
});

describe("checkPortsFree", () => {
  it("names a port already in use: ADDRESS_IN_USE", async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(checkPortsFree([port])).rejects.toMatchObject({ code: "ADDRESS_IN_USE", details: { port } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("writeManifest", () => {
  it("writes devnet.json and leaves no temporary file", async () => {
    const dir = await devnetDir();
    const path = await writeManifest(dir, { chainId: "c", genesis: "g", devKey: "k", nodes: [] });
    expect(path).toBe(join(dir, "devnet.json"));
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ chainId: "c", genesis: "g", devKey: "k", nodes: [] });
    expect(existsSync(`${path}.${process.pid}.tmp`)).toBe(false);
  });
});
