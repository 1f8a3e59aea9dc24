// Readings in block import: blocks of 20 bridge batches of 100 readings over 100 sensors,
// signatures already verified (as when the node admitted them itself): header checks,
// re-execution of the readings contract against the air-quality profile, the state-tree update
// and the synced atomic level write. Three shapes: one bridge of 100 sensors (each batch holds
// one reading of every sensor), 4 bridges of 25 (each batch holds 4 readings of each of its
// sensors, which the contract reads and writes once), and 20 bridges of 100 (2,000 sensors,
// one reading each per block: every reading touches its own state keys, the tree's worst
// case). Also the contracts alone over a warm and over a cold state cache, the state-tree cost
// per reading, and the pure profile evaluation for reference.
import "../../src/polyfill.js";
import { join } from "node:path";
import { createRegistry, executeBlock } from "../../src/contracts/index.js";
import { EMPTY_READING_STATE, encodedValuesSize, evaluateReading, type DeviceReadingState } from "../../src/contracts/modules/readings/evaluate.js";
import { validateProfileSpec } from "../../src/contracts/modules/profiles/validate.js";
import type { Block } from "../../src/ledger/block.js";
import type { Commit } from "../../src/ledger/commit.js";
import { ChainStore } from "../../src/ledger/storage/chainStore.js";
import { Chain } from "../../src/node/chain.js";
import { StateCache } from "../../src/node/stateCache.js";
import { formatTable, median, rate, type BenchRow } from "../lib.js";
import { openChain, removeDir, silentLogger, tempDir } from "../../test/fixtures/chain.js";
import { AIR_QUALITY_SPEC } from "../../test/fixtures/devices.js";
import { fixedGenesis, fleetSetupTxs, makeBatch, makeFleet, syntheticReading } from "../../test/fixtures/readings.js";
import type { SignedTransaction } from "../../src/ledger/transaction.js";

const BATCH = 100;
const BATCHES_PER_BLOCK = 20;
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 10);
const READINGS_PER_BLOCK = BATCH * BATCHES_PER_BLOCK;

interface Shape {
  readonly bridges: number;
  readonly sensorsPerBridge: number;
}

/** The blocks' transactions: each bridge sends BATCHES_PER_BLOCK / bridges batches per block, each BATCH / sensorsPerBridge hourly readings of each of its sensors. */
function readingBlocks(g: ReturnType<typeof fixedGenesis>, fleet: ReturnType<typeof makeFleet>, { bridges, sensorsPerBridge }: Shape): SignedTransaction[][] {
  const perSensor = BATCH / sensorsPerBridge;
  const batchesPerBridge = BATCHES_PER_BLOCK / bridges;
  const blocks: SignedTransaction[][] = [];
  let round = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const txs: SignedTransaction[] = [];
    for (let k = 0; k < batchesPerBridge; k++, round++) {
      fleet.forEach((bridge, bi) => {
        const readings = [];
        for (let r = 1; r <= perSensor; r++) {
          for (const [si, s] of bridge.sensors.entries()) readings.push(syntheticReading(s.id, bi * sensorsPerBridge + si, round * perSensor + r));
        }
        txs.push(makeBatch(g.genesis, bridge.key, readings, round));
      });
    }
    blocks.push(txs);
  }
  return blocks;
}

/** Evaluations per second of one reading against the air-quality profile, state carried along. */
function evaluateRate(): number {
  const spec = validateProfileSpec(AIR_QUALITY_SPEC);
  const readings = Array.from({ length: 1_000 }, (_, seq) => syntheticReading("d", 0, seq + 1));
  let state: DeviceReadingState = EMPTY_READING_STATE;
  let k = 0;
  return rate(() => {
    const r = readings[k++ % readings.length]!;
    if (k % readings.length === 0) state = EMPTY_READING_STATE;
    state = evaluateReading(spec, state, { ts: r.ts, values: r.values, payloadBytes: encodedValuesSize(r.values) }).next;
  }, { ms: 300 });
}

async function measure(shape: Shape): Promise<BenchRow[]> {
  const g = fixedGenesis("bench readings", { maxBlockTxs: 10_000 });
  const fleet = makeFleet("bench readings", shape.bridges, shape.sensorsPerBridge);
  const producerDir = await tempDir("attesta-bench-");
  const followerDir = await tempDir("attesta-bench-");
  const producer = await openChain(g.genesis, producerDir);

  const produced: Array<{ block: Block; commit: Commit | undefined }> = [];
  const produceMs: number[] = [];
  const executeMs: number[] = [];
  const coldMs: number[] = [];
  const registry = createRegistry();
  const blocks = [fleetSetupTxs(g, fleet), ...readingBlocks(g, fleet, shape)];
  for (const [b, txs] of blocks.entries()) {
    const timestamp = g.genesis.timestamp + (b + 1) * 1_000;
    if (b > 0) {
      // The contracts alone: the block's transactions executed over the head state, nothing persisted.
      const env = { chainId: g.genesis.chainId, height: b + 1, timestamp, proposer: g.validatorKey.address, params: g.genesis.params };
      const begin = performance.now();
      await executeBlock(producer.chain.state, env, txs, registry);
      executeMs.push(performance.now() - begin);
      // The same over a cold cache (a node that just started, or is catching up): every key read from level.
      const coldBegin = performance.now();
      await executeBlock(new StateCache(producer.store), env, txs, registry);
      coldMs.push(performance.now() - coldBegin);
    }
    const start = performance.now();
    const imported = await producer.chain.produceAndCommit(g.validatorKey, txs, timestamp);
    if (b > 0) produceMs.push(performance.now() - start);
    if (imported.block.txs.length !== txs.length) throw new Error(`block ${b + 1} left out ${imported.dropped.map((d) => d.code).join(", ")}`);
    const failed = imported.receipts.flatMap((r) => r.events).filter((e) => e.type === "reading" && e.attributes[3]![1] !== "ok");
    if (failed.length > 0) throw new Error(`block ${b + 1}: ${failed.length} readings rejected`);
    produced.push({ block: imported.block, commit: await producer.store.commit(imported.block.header.height) });
  }

  const store = await ChainStore.open(join(followerDir, "db"));
  // Signatures already verified: the node's cache answers for transactions it admitted.
  const follower = await Chain.open({ store, genesis: g.genesis, registry: createRegistry(), logger: silentLogger, verifyTx: () => true }, { maxClockSkewMs: 60_000 });
  // Time the state-tree update inside each import, and count the nodes it writes.
  const tree = follower.tree;
  const update = tree.update.bind(tree);
  let treeMs = 0;
  let treeNodes = 0;
  let stateChanges = 0;
  tree.update = async (root, changes) => {
    const start = performance.now();
    const result = await update(root, changes);
    treeMs += performance.now() - start;
    treeNodes += result.nodes.length;
    stateChanges += changes.length;
    return result;
  };
  const importMs: number[] = [];
  const importCpuMs: number[] = [];
  const treeShare: number[] = [];
  const nodesPerReading: number[] = [];
  const changesPerReading: number[] = [];
  for (const [b, { block, commit }] of produced.entries()) {
    treeMs = 0;
    treeNodes = 0;
    stateChanges = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await follower.importBlock(block, commit);
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    if (b === 0) continue; // the setup block
    importMs.push(ms);
    importCpuMs.push((used.user + used.system) / 1000);
    treeShare.push(treeMs / ms);
    nodesPerReading.push(treeNodes / READINGS_PER_BLOCK);
    changesPerReading.push(stateChanges / READINGS_PER_BLOCK);
  }
  await follower.idle();
  await store.close();
  await producer.close();
  await removeDir(producerDir);
  await removeDir(followerDir);

  // The first block also warms the caches of a fresh process: report medians.
  const imp = median(importMs);
  const impCpu = median(importCpuMs);
  const prod = median(produceMs);
  const exec = median(executeMs);
  const cold = median(coldMs);
  const perSensor = BATCH / shape.sensorsPerBridge;
  const label = `${shape.bridges} × ${shape.sensorsPerBridge} sensors, ${perSensor} per sensor per batch`;
  const shapeNote = `${BLOCKS} blocks × ${BATCHES_PER_BLOCK} batches × ${BATCH} readings, 6 metrics`;
  return [
    { name: `readings block import, ${label} (sigs verified)`, value: (READINGS_PER_BLOCK * 1000) / imp, unit: "readings/s", note: `median ${imp.toFixed(1)} ms/block, ${shapeNote}, incl. synced write` },
    { name: `readings block import per CPU second, ${label}`, value: (READINGS_PER_BLOCK * 1000) / impCpu, unit: "readings/s", note: `median ${impCpu.toFixed(1)} ms CPU/block (all threads): steadier than wall time on a shared machine` },
    { name: `readings execution only (executeBlock), ${label}`, value: (READINGS_PER_BLOCK * 1000) / exec, unit: "readings/s", note: `median ${exec.toFixed(1)} ms/block: the contracts alone: no receipt hashing, tree, index or write` },
    { name: `readings execution over a cold state cache, ${label}`, value: (READINGS_PER_BLOCK * 1000) / cold, unit: "readings/s", note: `median ${cold.toFixed(1)} ms/block: executeBlock over a new StateCache, each key read from level` },
    { name: `readings block production, ${label}`, value: (READINGS_PER_BLOCK * 1000) / prod, unit: "readings/s", note: `median ${prod.toFixed(1)} ms/block` },
    { name: `readings state-tree nodes written per reading, ${label}`, value: median(nodesPerReading), unit: "nodes", note: `${median(changesPerReading).toFixed(2)} state changes per reading` },
    { name: `readings state-tree update share of import, ${label}`, value: median(treeShare) * 100, unit: "%", note: `median ${(median(treeShare) * imp).toFixed(1)} ms/block` },
  ];
}

export async function run(): Promise<BenchRow[]> {
  return [
    ...(await measure({ bridges: 1, sensorsPerBridge: 100 })),
    ...(await measure({ bridges: 4, sensorsPerBridge: 25 })),
    ...(await measure({ bridges: 20, sensorsPerBridge: 100 })),
    { name: "readings profile evaluation (pure)", value: evaluateRate(), unit: "readings/s", note: "air-quality profile, 6 metrics, drift and stuck state" },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
