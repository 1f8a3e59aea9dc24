import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { join } from "node:path";
import { linePrefix, prefixLines } from "../../../src/cli/devnetLogs.js";
import { DEVNET_DEFAULTS, devnetManifest, planDevnet, resolveDevnetOptions } from "../../../src/cli/devnetPlan.js";
import { codeOf } from "../../fixtures/codes.js";

const CLI = ["/usr/bin/node", "/app/main.js"];
const IDS = ["12D3KooWA", "12D3KooWB", "12D3KooWC"];

describe("resolveDevnetOptions", () => {
  it("defaults to 4 validators in .attesta-devnet from port 7600, the directory made absolute", () => {
    expect(resolveDevnetOptions({}, "/home/me")).toEqual({ validators: 4, dir: "/home/me/.attesta-devnet", basePort: 7600, logLevel: "info" });
    expect(DEVNET_DEFAULTS.validators).toBe(4);
  });

  it("refuses with BAD_ARGUMENT a validator count outside 1 to 64", () => {
    for (const validators of ["0", "65", "-1", "two", "1.5"]) expect(codeOf(() => resolveDevnetOptions({ validators }, "/"))).toBe("BAD_ARGUMENT");
    expect(resolveDevnetOptions({ validators: "64" }, "/").validators).toBe(64);
  });

  it("refuses with BAD_ARGUMENT a base port whose range leaves 1 to 65535", () => {
    expect(codeOf(() => resolveDevnetOptions({ basePort: "0" }, "/"))).toBe("BAD_ARGUMENT");
    expect(codeOf(() => resolveDevnetOptions({ validators: "4", basePort: "65529" }, "/"))).toBe("BAD_ARGUMENT");
    expect(resolveDevnetOptions({ validators: "4", basePort: "65528" }, "/").basePort).toBe(65528);
  });

  it("refuses with BAD_ARGUMENT an unknown log level", () => {
    expect(codeOf(() => resolveDevnetOptions({ logLevel: "loud" }, "/"))).toBe("BAD_ARGUMENT");
  });
});

describe("planDevnet", () => {
  const opts = { validators: 3, dir: "/d", basePort: 9000, logLevel: "debug" };
  const plans = planDevnet(opts, CLI, IDS);

  it("gives node i API port base+2i and P2P port base+2i+1 on 127.0.0.1, in <dir>/node-<i>", () => {
    expect(plans.map((p) => [p.name, p.apiUrl, p.p2pAddress, p.dataDir])).toEqual([
      ["node-0", "http://127.0.0.1:9000", "/ip4/127.0.0.1/tcp/9001/p2p/12D3KooWA", join("/d", "node-0")],
      ["node-1", "http://127.0.0.1:9002", "/ip4/127.0.0.1/tcp/9003/p2p/12D3KooWB", join("/d", "node-1")],
      ["node-2", "http://127.0.0.1:9004", "/ip4/127.0.0.1/tcp/9005/p2p/12D3KooWC", join("/d", "node-2")],
    ]);
  });

  it("starts each node as a validator that dials every other node and no one else", () => {
    const [first] = plans;
    expect(first!.command).toEqual([
      ...CLI,
      "start",
      "--validator",
      "--data-dir",
      join("/d", "node-0"),
      "--api-host",
      "127.0.0.1",
      "--api-port",
      "9000",
      "--p2p-listen",
      "/ip4/127.0.0.1/tcp/9001",
      "--no-mdns",
      "--bootstrap",
      "/ip4/127.0.0.1/tcp/9003/p2p/12D3KooWB",
      "--bootstrap",
      "/ip4/127.0.0.1/tcp/9005/p2p/12D3KooWC",
      "--log-level",
      "debug",
    ]);
    for (const p of plans) expect(p.command).not.toContain(p.p2pAddress);
  });

  it("puts each node's pid and exact command in the manifest", () => {
    const m = devnetManifest({ chainId: "attesta-devnet", genesis: "/d/genesis.json", devKey: "/d/dev.key" }, plans, [11, 12, 13]);
    expect(m.nodes.map((n) => n.pid)).toEqual([11, 12, 13]);
    expect(m.nodes[2]!.command).toEqual(plans[2]!.command);
    expect(Object.keys(m)).toEqual(["chainId", "genesis", "devKey", "nodes"]);
  });

  it("refuses a peer id list of the wrong length (a caller's bug: RangeError)", () => {
    expect(() => planDevnet(opts, CLI, IDS.slice(1))).toThrow(RangeError);
  });
});

describe("prefixLines", () => {
  it("passes on whole lines behind the prefix, however the chunks split them", async () => {
    const input = new PassThrough();
    const out: string[] = [];
    const done = prefixLines(input, linePrefix("node-1", 1, 6, false), (t) => out.push(t));
    for (const chunk of ['{"a":', '1}\n{"b"', ":2}\r\n", "tail without newline"]) input.write(chunk);
    input.end();
    await done;
    expect(out).toEqual(['node-1 | {"a":1}\n', 'node-1 | {"b":2}\n', "node-1 | tail without newline\n"]);
  });

  it("colours the prefix only when asked", () => {
    expect(linePrefix("node-0", 0, 7, false)).toBe("node-0  | ");
    expect(linePrefix("node-0", 0, 7, true)).toBe("\x1b[36mnode-0  | \x1b[0m");
  });
});
