import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { initDataDir } from "../../../src/node/dataDir.js";
import { startNode } from "../../../src/node/node.js";
import { defaultNodeOptions } from "../../../src/node/options.js";
import { removeDir, tempDir } from "../../fixtures/node.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

describe("node logs", () => {
  it("name each line's part once: one `module` key per JSON line, from the node and its network", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString("utf8").split("\n").filter((l) => l.length > 0));
        done();
      },
    });
    const dir = await tempDir();
    dirs.push(dir);
    await initDataDir({ dataDir: dir, dev: true });
    const node = await startNode(
      { ...defaultNodeOptions, dataDir: dir, logLevel: "debug", p2p: { ...defaultNodeOptions.p2p, listen: ["/ip4/127.0.0.1/tcp/0"], mdns: false, bootstrap: [] } },
      { logger: pino({ level: "debug" }, sink) },
    );
    await node.stop();
    // A second `"module":` in one line is a duplicate key, which JSON.parse would silently collapse.
    const repeated = lines.filter((l) => l.split('"module":').length > 2);
    expect(repeated).toEqual([]);
    const modules = new Set(lines.map((l) => (JSON.parse(l) as { module?: string }).module));
    expect(modules).toContain("node");
    expect(modules).toContain("p2p");
  });
});
