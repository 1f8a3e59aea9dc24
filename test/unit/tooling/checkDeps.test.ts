import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { checkGraph, findLayerViolations, formatViolation, layerOf, SHARED } from "../../../scripts/check-deps.js";
import { buildGraph, findCycles, parseImports, readSourceTree } from "../../../scripts/importGraph.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function graphOf(files: Record<string, string>) {
  return buildGraph(new Map(Object.entries(files)));
}

describe("parseImports", () => {
  it("finds static, side-effect, re-export, type-only and dynamic imports, and skips strings and comments", () => {
    const refs = parseImports(
      [
        `import { a } from "./a.js";`,
        `import type { B } from "../ledger/b.js";`,
        `import "./side.js";`,
        `export * from "./c.js";`,
        `export type { D } from "./d.js";`,
        `const m = await import("./lazy.js");`,
        `type T = typeof import("./typeOnly.js");`,
        `// import { x } from "./commented.js";`,
        `const s = 'import { y } from "./inString.js"';`,
        `import { readFile } from "node:fs/promises";`,
      ].join("\n"),
    );
    expect(refs.map((r) => [r.specifier, r.typeOnly, r.kind])).toEqual([
      ["./a.js", false, "static"],
      ["../ledger/b.js", true, "static"],
      ["./side.js", false, "static"],
      ["./c.js", false, "static"],
      ["./d.js", true, "static"],
      ["./lazy.js", false, "dynamic"],
      ["./typeOnly.js", true, "dynamic"],
      ["node:fs/promises", false, "static"],
    ]);
    expect(refs[2]?.line).toBe(3);
  });
});

describe("buildGraph", () => {
  it("resolves .js to .ts, bare paths and folder indexes, and records unresolved relative imports", () => {
    const g = graphOf({
      "src/ledger/a.ts": `import "./b.js"; import "../crypto"; import "./c"; import "./missing.js"; import "level";`,
      "src/ledger/b.ts": ``,
      "src/ledger/c.ts": ``,
      "src/crypto/index.ts": ``,
    });
    expect(g.edges.get("src/ledger/a.ts")?.map((e) => e.to)).toEqual(["src/ledger/b.ts", "src/crypto/index.ts", "src/ledger/c.ts"]);
    expect(g.unresolved).toEqual([{ from: "src/ledger/a.ts", specifier: "./missing.js", line: 1 }]);
  });
});

describe("findCycles", () => {
  it("reports a three-file cycle as a path that returns to its start", () => {
    const g = graphOf({
      "src/ledger/a.ts": `import { b } from "./b.js";`,
      "src/ledger/b.ts": `import { c } from "./c.js";`,
      "src/ledger/c.ts": `import type { A } from "./a.js";`,
      "src/ledger/d.ts": `import { a } from "./a.js";`,
    });
    expect(findCycles(g)).toEqual([["src/ledger/a.ts", "src/ledger/b.ts", "src/ledger/c.ts", "src/ledger/a.ts"]]);
    const [violation] = checkGraph(g);
    expect(violation?.kind).toBe("cycle");
    expect(formatViolation(violation!)).toBe("cycle: src/ledger/a.ts -> src/ledger/b.ts -> src/ledger/c.ts -> src/ledger/a.ts");
  });

  it("reports a self-import and one cycle per strongly connected component", () => {
    const g = graphOf({
      "src/crypto/self.ts": `export * from "./self.js";`,
      "src/ledger/x.ts": `import "./y.js";`,
      "src/ledger/y.ts": `const m = import("./x.js");`,
    });
    expect(findCycles(g)).toEqual([["src/crypto/self.ts", "src/crypto/self.ts"], ["src/ledger/x.ts", "src/ledger/y.ts", "src/ledger/x.ts"]]);
  });

  it("finds no cycle in a diamond", () => {
    const g = graphOf({
      "src/ledger/top.ts": `import "./l.js"; import "./r.js";`,
      "src/ledger/l.ts": `import "./bottom.js";`,
      "src/ledger/r.ts": `import "./bottom.js";`,
      "src/ledger/bottom.ts": ``,
    });
    expect(findCycles(g)).toEqual([]);
  });
});

describe("layer rules", () => {
  it("maps files to their top folder, and files directly under src/ to the shared leaves", () => {
    expect(layerOf("src/contracts/modules/devices.ts")).toBe("contracts");
    expect(layerOf("src/errors.ts")).toBe(SHARED);
  });

  it("flags an upward import, even type-only, and names both layers", () => {
    const g = graphOf({
      "src/ledger/block.ts": `import type { Receipt } from "../contracts/execute.js";`,
      "src/contracts/execute.ts": `import { sha256 } from "../crypto/hash.js"; import "../ledger/block.js"; import "../errors.js";`,
      "src/crypto/hash.ts": ``,
      "src/errors.ts": ``,
    });
    const violations = findLayerViolations(g);
    expect(violations).toEqual([
      { kind: "layer", from: "src/ledger/block.ts", to: "src/contracts/execute.ts", line: 1, fromLayer: "ledger", toLayer: "contracts" },
    ]);
    expect(formatViolation(violations[0]!)).toContain("ledger may not import contracts");
    // The upward import also closes a cycle between the two files.
    expect(checkGraph(g).map((v) => v.kind)).toEqual(["layer", "cycle"]);
  });

  it("keeps the client SDK to crypto and ledger, and light away from contracts", () => {
    const g = graphOf({
      "src/client/sdk.ts": `import "../node/service.js"; import "../ledger/codec.js";`,
      "src/light/verify.ts": `import "../contracts/state.js"; import "../consensus/commit.js";`,
      "src/node/service.ts": ``,
      "src/ledger/codec.ts": ``,
      "src/contracts/state.ts": ``,
      "src/consensus/commit.ts": ``,
    });
    expect(findLayerViolations(g).map((v) => (v.kind === "layer" ? `${v.fromLayer}->${v.toLayer}` : v.kind))).toEqual([
      "client->node",
      "light->contracts",
    ]);
  });

  it("lets every folder import the shared leaves, which import nothing of ours", () => {
    const g = graphOf({
      "src/crypto/keys.ts": `import { AttestaError } from "../errors.js";`,
      "src/errors.ts": `import "./polyfill.js";`,
      "src/polyfill.ts": `import "./crypto/keys.js";`,
    });
    const violations = findLayerViolations(g);
    expect(violations.map((v) => (v.kind === "layer" ? `${v.from}->${v.to}` : v.kind))).toEqual([
      "src/errors.ts->src/polyfill.ts",
      "src/polyfill.ts->src/crypto/keys.ts",
    ]);
  });

  it("reports a folder the layer table does not list", () => {
    const g = graphOf({ "src/util/misc.ts": `import "../crypto/hash.js";`, "src/crypto/hash.ts": `` });
    expect(findLayerViolations(g)).toEqual([{ kind: "unknown-layer", file: "src/util/misc.ts", layer: "util" }]);
  });

  it("reports unresolved relative imports but not JSON data files", () => {
    const g = graphOf({ "src/cli/main.ts": `import "../../test/fixtures.js"; import pkg from "../../package.json" with { type: "json" };` });
    expect(checkGraph(g).map(formatViolation)).toEqual([
      `unresolved: src/cli/main.ts:1 imports "../../test/fixtures.js", which is no .ts file under src/`,
    ]);
  });
});

describe("the real tree", () => {
  it("has no import cycle and respects the layer order of DESIGN.md", () => {
    const graph = buildGraph(readSourceTree(ROOT, "src"));
    expect(graph.files.length).toBeGreaterThan(0);
    expect(checkGraph(graph).map(formatViolation)).toEqual([]);
  });
});
