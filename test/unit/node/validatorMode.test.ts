import { rm } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { initDataDir } from "../../../src/node/dataDir.js";
import { startNode } from "../../../src/node/node.js";
import { dataDirLayout, defaultNodeOptions } from "../../../src/node/options.js";
import { removeDir, silentLogger, tempDir } from "../../fixtures/node.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

const options = (dataDir: string, requireValidator: boolean) => ({
  ...defaultNodeOptions,
  dataDir,
  logLevel: "silent",
  requireValidator,
  p2p: { ...defaultNodeOptions.p2p, enabled: false },
});

describe("start --validator", () => {
  it("refuses to start a node whose key is not in the validator set, and starts one whose key is", async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await initDataDir({ dataDir: dir, dev: true });
    const validator = await startNode(options(dir, true), { logger: silentLogger });
    expect(validator.status().mode).toBe("validator");
    await validator.stop();

    // Another key on the same chain: a full node, unless it insists on validating.
    await rm(dataDirLayout(dir).nodeKey);
    await expect(startNode(options(dir, true), { logger: silentLogger })).rejects.toMatchObject({ code: "NOT_A_VALIDATOR" });
    const follower = await startNode(options(dir, false), { logger: silentLogger });
    expect(follower.status().mode).toBe("full");
    await follower.stop();
  });
});
