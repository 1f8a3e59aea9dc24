import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { defaultApiOptions } from "../../../src/api/options.js";
import { checkConfigFile, readConfigFile, resolveDataDir, resolveStartOptions } from "../../../src/cli/startOptions.js";
import { defaultNodeOptions } from "../../../src/node/options.js";
import { removeDir, tempDir } from "../../fixtures/node.js";
import { codeOf } from "../../fixtures/codes.js";

describe("resolveStartOptions", () => {
  it("uses the defaults when nothing is given", () => {
    const { node, api } = resolveStartOptions({ flags: {}, env: {} });
    expect(node).toEqual(defaultNodeOptions);
    expect(api).toEqual(defaultApiOptions);
  });

  it("takes flags over env over config.json over defaults, field by field", () => {
    const config = { apiHost: "10.0.0.1", apiPort: 9000, logLevel: "warn", dev: false, validator: false, mempoolMaxTxs: 10 };
    const env = { ATTESTA_API_PORT: "8000", ATTESTA_LOG_LEVEL: "debug", ATTESTA_DEV: "1" };
    const flags = { apiPort: "7000" };
    const { node, api } = resolveStartOptions({ flags, env, config });
    expect(api).toEqual({ host: "10.0.0.1", port: 7000, maxBodyBytes: defaultApiOptions.maxBodyBytes });
    expect(node).toMatchObject({ logLevel: "debug", dev: true, validator: false, mempoolMaxTxs: 10 });

    const flagged = resolveStartOptions({ flags: { logLevel: "error", dev: true, validator: false, apiHost: "0.0.0.0" }, env: { ATTESTA_DEV: "0", ATTESTA_API_HOST: "1.2.3.4" }, config });
    expect(flagged.node).toMatchObject({ logLevel: "error", dev: true, validator: false });
    expect(flagged.api.host).toBe("0.0.0.0");
    expect(resolveStartOptions({ flags: {}, env: { ATTESTA_DEV: "false" }, config: { dev: true } }).node.dev).toBe(false);
  });

  it("resolves the p2p options: flags over env (comma lists) over config.json over defaults", () => {
    const config = { p2pListen: ["/ip4/10.0.0.1/tcp/1"], bootstrap: ["/ip4/10.0.0.2/tcp/2/p2p/a"], mdns: false, p2p: true, p2pAnnounce: ["/dns4/x/tcp/3"] };
    const env = { ATTESTA_P2P_LISTEN: "/ip4/127.0.0.1/tcp/5, /ip4/127.0.0.1/tcp/6", ATTESTA_BOOTSTRAP: "" };
    expect(resolveStartOptions({ flags: {}, env, config }).node.p2p).toEqual({
      enabled: true,
      listen: ["/ip4/127.0.0.1/tcp/5", "/ip4/127.0.0.1/tcp/6"],
      announce: ["/dns4/x/tcp/3"],
      bootstrap: [],
      mdns: false,
    });
    const flagged = resolveStartOptions({ flags: { p2p: false, p2pListen: ["/ip4/0.0.0.0/tcp/9"], mdns: true, requireValidator: true }, env, config }).node;
    expect(flagged.p2p).toMatchObject({ enabled: false, listen: ["/ip4/0.0.0.0/tcp/9"], mdns: true });
    expect(flagged.requireValidator).toBe(true);
    expect(codeOf(() => checkConfigFile({ bootstrap: "/ip4/1.2.3.4/tcp/1" }))).toBe("BAD_CONFIG");
    expect(codeOf(() => checkConfigFile({ p2pListen: [1] }))).toBe("BAD_CONFIG");
  });

  it("resolves the data directory from the flag, then ATTESTA_DATA_DIR, then the default", () => {
    expect(resolveDataDir({ dataDir: "/a" }, { ATTESTA_DATA_DIR: "/b" })).toBe("/a");
    expect(resolveDataDir({}, { ATTESTA_DATA_DIR: "/b" })).toBe("/b");
    expect(resolveDataDir({}, {})).toBe(defaultNodeOptions.dataDir);
    expect(resolveStartOptions({ flags: {}, env: { ATTESTA_DATA_DIR: "/b" } }).node.dataDir).toBe("/b");
  });

  it("refuses bad ports, log levels and booleans with BAD_ARGUMENT", () => {
    expect(codeOf(() => resolveStartOptions({ flags: { apiPort: "http" }, env: {} }))).toBe("BAD_ARGUMENT");
    expect(codeOf(() => resolveStartOptions({ flags: {}, env: { ATTESTA_API_PORT: "70000" } }))).toBe("BAD_ARGUMENT");
    expect(codeOf(() => resolveStartOptions({ flags: { logLevel: "loud" }, env: {} }))).toBe("BAD_ARGUMENT");
    expect(codeOf(() => resolveStartOptions({ flags: {}, env: { ATTESTA_DEV: "maybe" } }))).toBe("BAD_ARGUMENT");
  });
});

describe("config.json", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it("refuses unknown keys and wrong types with BAD_CONFIG", () => {
    expect(codeOf(() => checkConfigFile({ apiPrt: 1 }))).toBe("BAD_CONFIG");
    expect(codeOf(() => checkConfigFile({ apiPort: "1" }))).toBe("BAD_CONFIG");
    expect(codeOf(() => checkConfigFile({ dev: "yes" }))).toBe("BAD_CONFIG");
    expect(codeOf(() => checkConfigFile([]))).toBe("BAD_CONFIG");
    expect(checkConfigFile({ apiPort: 1, dev: true })).toEqual({ apiPort: 1, dev: true });
  });

  it("reads a file, treats a missing one as empty, and refuses invalid JSON", async () => {
    expect(await readConfigFile(join(dir, "none.json"))).toBeUndefined();
    await writeFile(join(dir, "good.json"), JSON.stringify({ apiPort: 1234 }));
    expect(await readConfigFile(join(dir, "good.json"))).toEqual({ apiPort: 1234 });
    await writeFile(join(dir, "bad.json"), "{ apiPort: ");
    await expect(readConfigFile(join(dir, "bad.json"))).rejects.toMatchObject({ code: "BAD_CONFIG" });
  });
});
