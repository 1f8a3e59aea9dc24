// A 4-validator devnet of separate processes (`attesta devnet` from the built CLI), loaded from
// this process through the nodes' HTTP APIs, each sender assigned to one node: first bridge
// batches of 100 readings, then readings signed one by one by their devices. Reports the
// readings finalized per second (counted from finalized blocks), submission-to-finality p50 and
// p95, each validator's peak RSS, and where the CPU went (per process, from /proc) with the
// consensus rounds above 0, to tell a saturated machine from a slow protocol.
import "../../src/polyfill.js";
import type { AttestaClient, SignedTransaction } from "../../src/client/index.js";
import { buildCli } from "../../test/fixtures/cli.js";
import { HonestBridge, percentile, rssMb } from "../../test/fixtures/flood.js";
import { makeSigningDevices, makeStations, presignReadings, registerFleet } from "../devnetFleet.js";
import { startDevnet, type RunningDevnet } from "../devnetLaunch.js";
import { runLoad, type LoadResult, type TxStream } from "../devnetLoad.js";
import { measureCpu, type CpuSplit } from "../devnetProcStats.js";
import { formatTable, median, type BenchRow } from "../lib.js";

const SECONDS = Number(process.env.BENCH_DEVNET_SECONDS ?? 60);
const VALIDATORS = 4;
const WARMUP_MS = 5_000;
const DRAIN_MS = 30_000;
/** Bridge batches: 8 bridges (2 per node) × 50 sensors × 2 readings = 100 readings per batch. */
const BRIDGES = 8;
const SENSORS_PER_BRIDGE = 50;
const READINGS_PER_SENSOR = 2;
/** Batches in flight: the goal rate (50 batches/s) times the p95 goal (2 s). */
const BATCH_WINDOW = Number(process.env.BENCH_DEVNET_BATCH_WINDOW ?? 100);
/** Device-signed readings: Ed25519 (the fastest to sign here), pre-signed. */
const DEVICES = 200;
/** Readings in flight: the goal rate (1,000/s) times the p95 goal (2 s). */
const DEVICE_WINDOW = Number(process.env.BENCH_DEVNET_DEVICE_WINDOW ?? 2_000);
/** Pre-signed readings per second of the run: the load generator cannot outrun this. */
const PRESIGNED_PER_SECOND = Number(process.env.BENCH_DEVNET_PRESIGNED_PER_SECOND ?? 1_300);
/** Per sender in flight: within the nodes' limit of 64 nonces ahead. */
const PER_SENDER = 60;

interface Phase {
  readonly load: LoadResult;
  readonly cpu: CpuSplit;
  /** Consensus rounds above 0 started during the phase, per node. */
  readonly rounds: number[];
}

async function consensusRounds(clients: readonly AttestaClient[]): Promise<number[]> {
  return Promise.all(clients.map(async (c) => (await c.status()).consensus?.rounds ?? NaN));
}

async function phase(devnet: RunningDevnet, streams: readonly TxStream[], window: number): Promise<Phase> {
  const pids: Record<string, number> = { devnet: devnet.supervisorPid };
  devnet.manifest.nodes.forEach((n, i) => (pids[n.name] = devnet.pids[i]!));
  const roundsBefore = await consensusRounds(devnet.clients);
  const stopCpu = await measureCpu(pids);
  const load = await runLoad({ clients: devnet.clients, follow: devnet.clients[0]!, streams, window, perSender: PER_SENDER, warmupMs: WARMUP_MS, measureMs: SECONDS * 1000, drainMs: DRAIN_MS });
  const cpu = await stopCpu();
  const roundsAfter = await consensusRounds(devnet.clients);
  return { load, cpu, rounds: roundsAfter.map((r, i) => r - roundsBefore[i]!) };
}

const pct = (cores: number): string => `${(cores * 100).toFixed(0)}%`;

/** "node-0 70%, ..., devnet 1%, generator 30%; machine 198% of 200%, 12% outside these". */
function cpuNote(cpu: CpuSplit): string {
  const ours = Object.values(cpu.processes).reduce((a, b) => a + b, 0) + cpu.self;
  const each = Object.entries(cpu.processes).map(([name, c]) => `${name} ${pct(c)}`);
  return `${each.join(", ")}, generator ${pct(cpu.self)}; machine ${pct(cpu.machine)} of ${pct(cpu.cores)}, ${pct(Math.max(0, cpu.machine - ours))} outside these`;
}

function phaseRows(label: string, p: Phase, goal: { rate: number; setup: string }): BenchRow[] {
  const { load } = p;
  const rate = (load.readings * 1000) / load.ms;
  const p50 = percentile(load.latencies, 50);
  const p95 = percentile(load.latencies, 95);
  const validators = Object.entries(p.cpu.processes)
    .filter(([name]) => name !== "devnet")
    .reduce((a, [, c]) => a + c, 0);
  const caveats = [load.exhausted ? "pre-signed readings ran out" : "", load.refusedReadings > 0 ? `${load.refusedReadings} readings refused at admission` : "", load.undrained > 0 ? `${load.undrained} txs not final after the drain` : ""].filter((s) => s !== "");
  return [
    {
      name: `devnet ${label}: readings finalized`,
      value: rate,
      unit: "readings/s",
      note: `${load.readings} readings in ${load.txs} txs over ${load.ms / 1000} s; ${goal.setup}; ${load.blocks} blocks, ${(load.blockTxs / Math.max(1, load.blocks)).toFixed(0)} txs/block; goal >= ${goal.rate.toLocaleString("en-US")}${caveats.length > 0 ? "; " + caveats.join("; ") : ""}`,
    },
    { name: `devnet ${label}: submission to final, p50`, value: p50, unit: "ms", note: `${load.latencies.length} txs; final as seen at node-0, polled every 100 ms` },
    { name: `devnet ${label}: submission to final, p95`, value: p95, unit: "ms", note: "goal <= 2,000 (block period 1 s)" },
    {
      name: `devnet ${label}: block interval, median`,
      value: median(load.blockIntervals),
      unit: "ms",
      note: `p95 ${percentile(load.blockIntervals, 95).toFixed(0)} ms (period 1,000); proposal to final at node-0: median ${median(load.proposalToFinal).toFixed(0)} ms, p95 ${percentile(load.proposalToFinal, 95).toFixed(0)} ms`,
    },
    { name: `devnet ${label}: validators' CPU`, value: validators, unit: "cores", note: cpuNote(p.cpu) },
    { name: `devnet ${label}: consensus rounds above 0`, value: p.rounds.reduce((a, b) => Math.max(a, b), 0), unit: "rounds", note: `per node ${p.rounds.join(", ")} (max shown)` },
  ];
}

export async function run(): Promise<BenchRow[]> {
  await buildCli();
  const devnet = await startDevnet(VALIDATORS);
  try {
    const chain = { client: devnet.clients[0]!, devKey: devnet.devKey, chainId: devnet.chainId, feePerByte: devnet.feePerByte };
    const { stations, bridges: bridgeRegs, sensors: sensorRegs } = makeStations(BRIDGES, SENSORS_PER_BRIDGE);
    const { devices, registrations: deviceRegs } = makeSigningDevices(DEVICES, "ed25519");
    const perDevice = Math.ceil((PRESIGNED_PER_SECOND * (SECONDS + WARMUP_MS / 1000)) / DEVICES);
    const setupStart = performance.now();
    const [, presigned] = await Promise.all([registerFleet(chain, bridgeRegs, [...sensorRegs, ...deviceRegs]), presignReadings(chain, devices, perDevice)]);
    console.error(`devnet: ${bridgeRegs.length + sensorRegs.length + deviceRegs.length} devices registered and ${perDevice * DEVICES} readings signed in ${((performance.now() - setupStart) / 1000).toFixed(0)} s`);

    const bridges: TxStream[] = stations.map((station, b) => {
      const bridge = new HonestBridge(chain, station, READINGS_PER_SENSOR);
      return { node: b % VALIDATORS, readingsPerTx: bridge.readingsPerBatch, next: () => bridge.next() };
    });
    const batches = await phase(devnet, bridges, BATCH_WINDOW);
    console.error(`devnet: bridge batches done, ${batches.load.readings} readings`);

    const signers: TxStream[] = presigned.map((txs: SignedTransaction[], d) => {
      let i = 0;
      return { node: d % VALIDATORS, readingsPerTx: 1, next: () => txs[i++] };
    });
    const single = await phase(devnet, signers, DEVICE_WINDOW);

    const peaks = await Promise.all(devnet.pids.map((pid) => rssMb(pid, "VmHWM")));
    const names = devnet.manifest.nodes.map((n) => n.name);
    return [
      ...phaseRows("bridge batches", batches, { rate: 5_000, setup: `${BRIDGES} bridges × ${SENSORS_PER_BRIDGE} sensors × ${READINGS_PER_SENSOR}, ${BATCH_WINDOW} batches in flight` }),
      ...phaseRows("device-signed", single, { rate: 1_000, setup: `${DEVICES} Ed25519 devices, pre-signed, ${DEVICE_WINDOW} in flight` }),
      { name: "devnet validator RSS, peak (max of 4)", value: Math.max(...peaks), unit: "MB", note: `VmHWM: ${peaks.map((mb, i) => `${names[i]} ${mb.toFixed(0)}`).join(", ")}; goal <= 200` },
    ];
  } finally {
    await devnet.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTable(await run()));
