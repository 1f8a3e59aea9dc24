// The same blocks give the same state roots: built twice in this process, re-executed by a
// follower on another store, and built in two fresh processes.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { openChain, removeDir, tempDir } from "../../fixtures/chain.js";
import { fixedGenesis } from "../../fixtures/readings.js";
import { REPLAY_SEED, replayReadingsChain, type ReplaySummary } from "../../fixtures/readingsReplay.js";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = "test/fixtures/readingsReplay.ts";

describe("determinism of the readings chain", () => {
  const dirs: string[] = [];
  let first: ReplaySummary;

  const dir = async (): Promise<string> => {
    const d = await tempDir("attesta-determinism-");
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    first = await replayReadingsChain(await dir());
  });
  afterAll(async () => {
    for (const d of dirs) await removeDir(d);
  });

  it("exercises accepted, flagged, rejected and replayed readings, and a suspension", () => {
    expect(first.codes[""]).toBeGreaterThan(150);
    expect(first.codes[TxErrorCode.HARD_VIOLATION]).toBeGreaterThan(0);
    expect(first.codes[TxErrorCode.SEQ_REPLAY]).toBeGreaterThan(0);
    expect(first.codes[TxErrorCode.DEVICE_SUSPENDED]).toBeGreaterThan(0);
    expect(first.flagged).toBeGreaterThan(5);
    expect(first.suspensions).toBeGreaterThan(0);
  });

  it("gives the same state roots when the chain is built again", async () => {
    const second = await replayReadingsChain(await dir());
    expect(second.roots).toEqual(first.roots);
    expect(new Set(first.roots).size).toBe(first.roots.length);
  });

  it("gives the same state roots when a follower re-executes the blocks on its own store", async () => {
    const follower = await openChain(fixedGenesis(REPLAY_SEED).genesis, await dir());
    const roots: string[] = [];
    for (const b of first.blocks) roots.push(toHex((await follower.chain.importBlock(b.block)).block.header.stateRoot));
    await follower.close();
    expect(roots).toEqual(first.roots);
  });

  it("gives the same state roots in two fresh processes", async () => {
    const [a, b] = await Promise.all([0, 1].map(() => run("npx", ["tsx", SCRIPT], { cwd: REPO, timeout: 60_000 })));
    const rootsA = JSON.parse(a!.stdout) as string[];
    const rootsB = JSON.parse(b!.stdout) as string[];
    expect(rootsA).toEqual(rootsB);
    expect(rootsA).toEqual(first.roots);
  }, 90_000);
});
