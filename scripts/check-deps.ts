// `npm run lint:deps`: fails on an import cycle between files of src/ or an import that breaks
// the layer order of DESIGN.md ("Layers"). Each violation is listed; exit status 1 if any.
import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildGraph, findCycles, readSourceTree, type ImportGraph } from "./importGraph.js";

/** Which layers (folders of src/) each layer may import. A layer may always import its own files. */
export const LAYER_RULES: Readonly<Record<string, readonly string[]>> = {
  crypto: [],
  ledger: ["crypto"],
  contracts: ["crypto", "ledger"],
  inspect: ["crypto", "ledger", "contracts"],
  consensus: ["crypto", "ledger", "contracts", "inspect"],
  net: ["crypto", "ledger", "contracts", "inspect", "consensus"],
  light: ["crypto", "ledger", "consensus", "net"],
  node: ["crypto", "ledger", "contracts", "inspect", "consensus", "net", "light"],
  api: ["crypto", "ledger", "contracts", "inspect", "consensus", "net", "light", "node"],
  cli: ["crypto", "ledger", "contracts", "inspect", "consensus", "net", "light", "node", "api", "client"],
  client: ["crypto", "ledger"],
};

/** Files directly under src/ (errors.ts, polyfill.ts) are shared leaves: anyone may import them; they import nothing of ours. */
export const SHARED = "(shared)";

export const SRC_DIR = "src";

export type Violation =
  | { readonly kind: "cycle"; readonly path: readonly string[] }
  | { readonly kind: "layer"; readonly from: string; readonly to: string; readonly line: number; readonly fromLayer: string; readonly toLayer: string }
  | { readonly kind: "unknown-layer"; readonly file: string; readonly layer: string }
  | { readonly kind: "unresolved"; readonly from: string; readonly specifier: string; readonly line: number };

/** The layer of a file under src/: its first folder, or SHARED for a file directly under src/. */
export function layerOf(file: string, srcDir = SRC_DIR): string {
  const rest = file.startsWith(`${srcDir}/`) ? file.slice(srcDir.length + 1) : file;
  const slash = rest.indexOf("/");
  return slash === -1 ? SHARED : rest.slice(0, slash);
}

/** Whether a file of layer `from` may import a file of layer `to`. */
export function mayImport(from: string, to: string, rules: Readonly<Record<string, readonly string[]>> = LAYER_RULES): boolean {
  if (to === SHARED) return from !== SHARED;
  if (from === SHARED) return false;
  return from === to || (rules[from]?.includes(to) ?? false);
}

/** Layer violations of a graph: imports against the rules, and files in folders the rules do not know. */
export function findLayerViolations(
  graph: ImportGraph,
  rules: Readonly<Record<string, readonly string[]>> = LAYER_RULES,
  srcDir = SRC_DIR,
): Violation[] {
  const violations: Violation[] = [];
  const unknown = new Set<string>();
  for (const file of graph.files) {
    const layer = layerOf(file, srcDir);
    if (layer !== SHARED && !(layer in rules) && !unknown.has(layer)) {
      unknown.add(layer);
      violations.push({ kind: "unknown-layer", file, layer });
    }
  }
  for (const file of graph.files) {
    for (const edge of graph.edges.get(file) ?? []) {
      const fromLayer = layerOf(edge.from, srcDir);
      const toLayer = layerOf(edge.to, srcDir);
      if (unknown.has(fromLayer)) continue; // reported once as unknown-layer
      if (!mayImport(fromLayer, toLayer, rules)) {
        violations.push({ kind: "layer", from: edge.from, to: edge.to, line: edge.line, fromLayer, toLayer });
      }
    }
  }
  return violations;
}

/** Every violation of a graph: unresolved relative imports (other than JSON), layer violations, then cycles. */
export function checkGraph(
  graph: ImportGraph,
  rules: Readonly<Record<string, readonly string[]>> = LAYER_RULES,
  srcDir = SRC_DIR,
): Violation[] {
  return [
    ...graph.unresolved
      .filter((u) => !u.specifier.endsWith(".json")) // data files (package.json) are not modules of a layer
      .map((u): Violation => ({ kind: "unresolved", ...u })),
    ...findLayerViolations(graph, rules, srcDir),
    ...findCycles(graph).map((path): Violation => ({ kind: "cycle", path })),
  ];
}

export function formatViolation(v: Violation): string {
  switch (v.kind) {
    case "cycle":
      return `cycle: ${v.path.join(" -> ")}`;
    case "layer":
      return v.fromLayer === SHARED
        ? `layer: ${v.from}:${v.line} imports ${v.to}, but files directly under src/ are shared leaves that import nothing of ours`
        : `layer: ${v.from}:${v.line} imports ${v.to} (${v.fromLayer} may not import ${v.toLayer}; allowed: ${(LAYER_RULES[v.fromLayer] ?? []).join(", ") || "nothing of ours"})`;
    case "unknown-layer":
      return `layer: ${v.file} is in src/${v.layer}/, a folder the layer table of DESIGN.md (LAYER_RULES in scripts/check-deps.ts) does not list`;
    case "unresolved":
      return `unresolved: ${v.from}:${v.line} imports "${v.specifier}", which is no .ts file under src/`;
  }
}

function main(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const graph = buildGraph(readSourceTree(root, SRC_DIR));
  const violations = checkGraph(graph);
  const edges = [...graph.edges.values()].reduce((n, e) => n + e.length, 0);
  if (violations.length === 0) {
    console.log(`lint:deps: ${graph.files.length} files, ${edges} imports, no cycles, layer order respected`);
    return;
  }
  for (const v of violations) console.error(formatViolation(v));
  console.error(`lint:deps: ${violations.length} violation(s) in ${graph.files.length} files`);
  process.exitCode = 1;
}

/** Run only as a script (`tsx scripts/check-deps.ts`), not when a test imports the functions above. */
function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) main();
