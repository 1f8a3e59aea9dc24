import { sha256, ZERO_HASH } from "../../src/crypto/hash.js";
import { merkleRoot } from "../../src/ledger/merkle.js";
import { MemoryNodeStore, SparseMerkleTree, verifyStateProof, type StateChange, type StateProof } from "../../src/ledger/smt/index.js";
import { formatTable, median, medianMs, rate, type BenchRow } from "../lib.js";

// The state tree and the transaction Merkle root on the block-import hot path: batch updates of
// a block's worth of changes, proofs for light clients, and the tx root of a large block.

const BATCH = 10_000;
const TREE_KEYS = 100_000;
const RUNS = 5;

const encoder = new TextEncoder();

function changes(from: number, count: number, tag: string): StateChange[] {
  return Array.from({ length: count }, (_, i) => ({ key: encoder.encode(`account-${from + i}`), value: encoder.encode(`${tag}-${from + i}`) }));
}

async function build(keys: number): Promise<{ store: MemoryNodeStore; tree: SparseMerkleTree; root: Uint8Array }> {
  const store = new MemoryNodeStore();
  const tree = new SparseMerkleTree(store);
  const update = await tree.update(ZERO_HASH, changes(0, keys, "v0"));
  store.putNodes(update.nodes);
  return { store, tree, root: update.root };
}

/** Median ms of one batch of new keys, each run on the same base root with fresh keys. */
async function batchUpdateMs(tree: SparseMerkleTree, root: Uint8Array, firstKey: number): Promise<{ ms: number; nodes: number }> {
  let run = 0;
  const nodes: number[] = [];
  const ms = await medianMs(async () => {
    const update = await tree.update(root, changes(firstKey + run++ * BATCH, BATCH, "v1"));
    nodes.push(update.nodes.length);
  }, RUNS);
  return { ms, nodes: median(nodes) };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  const empty = new SparseMerkleTree(new MemoryNodeStore());
  const intoEmpty = await batchUpdateMs(empty, ZERO_HASH, 0);
  rows.push({ name: `smt update ${BATCH} keys into empty tree`, value: intoEmpty.ms, unit: "ms", note: `${RUNS} runs, ${intoEmpty.nodes} nodes created` });
  rows.push({ name: `smt update ${BATCH} keys into empty tree`, value: (BATCH * 1000) / intoEmpty.ms, unit: "keys/s" });

  const big = await build(TREE_KEYS);
  const intoBig = await batchUpdateMs(big.tree, big.root, TREE_KEYS);
  rows.push({ name: `smt update ${BATCH} keys into ${TREE_KEYS} keys`, value: intoBig.ms, unit: "ms", note: `${RUNS} runs, ${intoBig.nodes} nodes created, warm cache` });
  rows.push({ name: `smt update ${BATCH} keys into ${TREE_KEYS} keys`, value: (BATCH * 1000) / intoBig.ms, unit: "keys/s" });

  const cold = new SparseMerkleTree(big.store, { cacheNodes: 0 });
  const coldMs = await batchUpdateMs(cold, big.root, 2 * TREE_KEYS);
  rows.push({ name: `smt update ${BATCH} keys into ${TREE_KEYS} keys, no cache`, value: coldMs.ms, unit: "ms", note: "every read from MemoryNodeStore, checked" });

  const probes = changes(0, 1_000, "v0");
  const proofs: StateProof[] = [];
  const start = performance.now();
  for (const { key } of probes) proofs.push(await big.tree.prove(big.root, key));
  rows.push({ name: `smt prove (${TREE_KEYS} keys, cached)`, value: (probes.length * 1000) / (performance.now() - start), unit: "proofs/s", note: `mean ${(proofs.reduce((n, p) => n + p.siblings.length, 0) / proofs.length).toFixed(1)} siblings` });
  let i = 0;
  rows.push({
    name: `smt verifyStateProof (${TREE_KEYS} keys)`,
    value: rate(() => {
      const k = i++ % probes.length;
      const probe = probes[k] as StateChange;
      if (!verifyStateProof(big.root, probe.key, probe.value, proofs[k] as StateProof)) throw new Error("proof failed");
    }),
    unit: "proofs/s",
  });

  for (const n of [1_000, 10_000]) {
    const leaves = Array.from({ length: n }, (_, j) => sha256(encoder.encode(`tx-${j}`)));
    const perSecond = rate(() => void merkleRoot(leaves), { runs: RUNS, ms: 300 });
    rows.push({ name: `merkleRoot of ${n.toLocaleString("en-US")} hashes`, value: 1000 / perSecond, unit: "ms" });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
