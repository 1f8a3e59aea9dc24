// The import graph of a source tree, and its cycles. Pure functions (text in, graph in, data out),
// plus one reader that loads a directory; check-deps.ts applies the layer rules on top.
import { readdirSync, readFileSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import ts from "typescript";

/** One import specifier found in a file. */
export interface ImportRef {
  readonly specifier: string;
  /** 1-based line of the specifier. */
  readonly line: number;
  /** `import type`, `export type ... from`, or `import("...")` in a type position. */
  readonly typeOnly: boolean;
  readonly kind: "static" | "dynamic";
}

/** An import between two files of the tree (paths are posix, relative to the tree's root). */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly specifier: string;
  readonly line: number;
  readonly typeOnly: boolean;
}

/** A relative import that resolves to no file of the tree. */
export interface Unresolved {
  readonly from: string;
  readonly specifier: string;
  readonly line: number;
}

export interface ImportGraph {
  /** Every file, sorted. */
  readonly files: readonly string[];
  /** Outgoing edges of each file, in source order. */
  readonly edges: ReadonlyMap<string, readonly Edge[]>;
  readonly unresolved: readonly Unresolved[];
}

/**
 * The import specifiers of one TypeScript source: static `import`/`export ... from`, side-effect
 * imports, `import x = require("...")`, `import("...")` with a literal argument (calls and types).
 */
export function parseImports(source: string, fileName = "file.ts"): ImportRef[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const add = (node: ts.Node, typeOnly: boolean, kind: ImportRef["kind"]): void => {
    if (!ts.isStringLiteralLike(node)) return;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    refs.push({ specifier: node.text, line, typeOnly, kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false, "static");
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly, "static");
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly, "static");
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg) add(arg, false, "dynamic");
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true, "dynamic");
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return refs;
}

export function isRelative(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === "..";
}

/**
 * The file a relative specifier names, as NodeNext resolves it from TypeScript sources:
 * `./x.js` is `./x.ts`, a bare `./x` may be `./x.ts` or `./x/index.ts`. Undefined when no
 * file of `known` matches (a non-relative specifier is a package: also undefined).
 */
export function resolveSpecifier(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  if (!isRelative(specifier)) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [
    base,
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.mjs$/, ".mts"),
    base.replace(/\.jsx$/, ".tsx"),
    `${base}.ts`,
    `${base}/index.ts`,
  ];
  return candidates.find((c) => known.has(c));
}

/** The graph of a tree given as file path → source text (posix paths). */
export function buildGraph(sources: ReadonlyMap<string, string>): ImportGraph {
  const files = [...sources.keys()].sort();
  const known = new Set(files);
  const edges = new Map<string, Edge[]>();
  const unresolved: Unresolved[] = [];
  for (const from of files) {
    const out: Edge[] = [];
    for (const ref of parseImports(sources.get(from) ?? "", from)) {
      if (!isRelative(ref.specifier)) continue;
      const to = resolveSpecifier(from, ref.specifier, known);
      if (to === undefined) unresolved.push({ from, specifier: ref.specifier, line: ref.line });
      else out.push({ from, to, specifier: ref.specifier, line: ref.line, typeOnly: ref.typeOnly });
    }
    edges.set(from, out);
  }
  return { files, edges, unresolved };
}

/**
 * One cycle per strongly connected component that has one (Tarjan), each as a path of files that
 * starts and ends at the same file, starting from the component's smallest file. Sorted.
 */
export function findCycles(graph: Pick<ImportGraph, "files" | "edges">): string[][] {
  const targets = (f: string): string[] => [...new Set((graph.edges.get(f) ?? []).map((e) => e.to))].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;

  // Iterative Tarjan: deep import chains must not overflow the call stack.
  for (const root of graph.files) {
    if (index.has(root)) continue;
    const work: { node: string; succ: string[]; i: number }[] = [];
    const enter = (node: string): void => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, succ: targets(node), i: 0 });
    };
    enter(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.succ.length) {
        const w = frame.succ[frame.i++]!;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.node);
        components.push(component.sort());
      }
    }
  }

  const cycles: string[][] = [];
  for (const component of components) {
    const start = component[0]!;
    if (component.length === 1 && !targets(start).includes(start)) continue;
    cycles.push(cycleThrough(start, new Set(component), targets));
  }
  return cycles.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/** A shortest path start → ... → start inside one component (breadth first). */
function cycleThrough(start: string, members: ReadonlySet<string>, targets: (f: string) => string[]): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const w of targets(node)) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) path.push(at);
        path.push(start);
        return path.reverse();
      }
      if (!previous.has(w)) {
        previous.set(w, node);
        queue.push(w);
      }
    }
  }
  return [start, start]; // unreachable for a real component
}

/** Every `.ts` file under `dir` (not `.d.ts`), keyed by its posix path relative to `root`. */
export function readSourceTree(root: string, dir: string): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && /\.(m?ts|tsx)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        sources.set(relative(root, path).split(sep).join("/"), readFileSync(path, "utf8"));
      }
    }
  };
  walk(join(root, dir));
  return sources;
}
