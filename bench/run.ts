// `npm run bench`: every suite in one process, one table of medians, also written to
// bench/results/<date>.md. `npm run bench -- crypto codec` runs only the named suites.
import "../src/polyfill.js";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { formatTable, type BenchRow } from "./lib.js";

const SUITES: Record<string, () => Promise<{ run: () => Promise<BenchRow[]> }>> = {
  crypto: () => import("./suites/crypto.js"),
  codec: () => import("./suites/codec.js"),
  txDecode: () => import("./suites/txDecode.js"),
  stateTree: () => import("./suites/stateTree.js"),
  blockImport: () => import("./suites/blockImport.js"),
  readings: () => import("./suites/readings.js"),
  endToEnd: () => import("./suites/endToEnd.js"),
  admission: () => import("./suites/admission.js"),
  flood: () => import("./suites/flood.js"),
  devnet: () => import("./suites/devnet.js"),
  consensus: () => import("./suites/consensus.js"),
  mempool: () => import("./suites/mempool.js"),
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(SUITES);
const rows: BenchRow[] = [];
for (const name of names) {
  const load = SUITES[name];
  if (load === undefined) {
    console.error(`unknown suite ${name}; suites: ${Object.keys(SUITES).join(", ")}`);
    process.exit(2);
  }
  console.error(`running ${name} ...`);
  rows.push(...(await (await load()).run()));
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const table = formatTable(rows);
console.log(`${machine}\n\n${table}`);
await mkdir("bench/results", { recursive: true });
await writeFile(`bench/results/${new Date().toISOString().replace(/[:.]/g, "-")}.md`, `# npm run bench\n\n${machine}\n\n${table}\n`);
