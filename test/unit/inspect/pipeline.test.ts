import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateKeyPair } from "../../../src/crypto/keys.js";
import { ReadingFinding, ReadingRejection } from "../../../src/contracts/modules/readings/findings.js";
import { inspectBareReading } from "../../../src/inspect/dryRun.js";
import { recheckPending } from "../../../src/inspect/recheck.js";
import { Mempool } from "../../../src/inspect/mempool.js";
import { MAX_NONCE_AHEAD, SIGNATURE_SLICE, STATE_SLICE } from "../../../src/inspect/pipeline.js";
import { InspectStage, type Verdict } from "../../../src/inspect/verdict.js";
import type { SignedTransaction } from "../../../src/ledger/transaction.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { makeTransfer } from "../../fixtures/chain.js";
import { DeviceChain, registerArgs } from "../../fixtures/devices.js";
import { admitOn, inspectEnvOf, inspectOn } from "../../fixtures/inspect.js";
import { makeBatch, makeSubmit, reading, setupStation, type Station } from "../../fixtures/readings.js";

const GOOD = { t: 20, rh: 50 };

/** Counts the turns of the event loop from now until `stop()`, which returns how many ran. */
function countTurns(): { stop: () => number } {
  let turns = 0;
  let ticking = true;
  const tick = (): void => {
    if (!ticking) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      ticking = false;
      return turns;
    },
  };
}
const HOUR = 3_600_000;

describe("the inspection pipeline", () => {
  let chain: DeviceChain;
  let station: Station;

  beforeEach(async () => {
    chain = await DeviceChain.start();
    station = await setupStation(chain, { sensors: 2 });
  });
  afterEach(async () => {
    await chain.close();
  });

  const sensor = (k = 0) => station.sensors[k]!;
  const verdictOf = async (tx: SignedTransaction): Promise<Verdict> =>
    (await inspectOn(chain, [tx]))[0]!.verdict;
  const submit = (k: number, seq: number, ts: number, values: Record<string, number>, nonce = 0) =>
    makeSubmit(chain.t.genesis, sensor(k).key, reading(sensor(k).id, seq, ts, values), nonce);

  it("accepts a transfer and admits it into the mempool", async () => {
    const mempool = new Mempool();
    const tx = makeTransfer(chain.t.genesis, chain.t.stranger, chain.t.consumer, 5n, { nonce: 0 });
    const [result] = await admitOn(chain, [tx], mempool);
    expect(result!.verdict).toEqual({ kind: "accept" });
    expect(mempool.has(tx.hash)).toBe(true);
  });

  it("accepts a clean reading, listing its outcome", async () => {
    const v = await verdictOf(submit(0, 1, chain.time, GOOD));
    expect(v).toMatchObject({ kind: "accept", readings: [{ deviceId: sensor(0).id, seq: 1, code: "", findings: [] }] });
  });

  it("flags a reading with soft findings, and admits it", async () => {
    const mempool = new Mempool();
    const tx = submit(0, 1, chain.time, { t: 50, rh: 50 });
    const [result] = await admitOn(chain, [tx], mempool);
    expect(result!.verdict).toMatchObject({ kind: "flag", findings: [{ code: ReadingFinding.OUT_OF_RANGE, metric: "t", value: 50, bound: 45 }] });
    expect(mempool.has(tx.hash)).toBe(true);
  });

  it("HARD_VIOLATION from the dry run, and nothing enters the mempool", async () => {
    const mempool = new Mempool();
    const [result] = await admitOn(chain, [submit(0, 1, chain.time, { t: -200, rh: 50 })], mempool);
    expect(result!.verdict).toMatchObject({ kind: "reject", code: TxErrorCode.HARD_VIOLATION, stage: InspectStage.DRY_RUN });
    expect(mempool.count).toBe(0);
  });

  it("UNAUTHORISED at the stateful stage for devices.register by an account without the operator role", async () => {
    const tx = await chain.tx(chain.t.stranger, "devices.register", registerArgs({ id: "x-1", key: generateKeyPair("secp256k1") }));
    expect(await verdictOf(tx)).toMatchObject({ kind: "reject", code: TxErrorCode.UNAUTHORISED, stage: InspectStage.STATEFUL });
  });

  it("UNAUTHORISED for a device submitting another device's reading", async () => {
    const tx = makeSubmit(chain.t.genesis, sensor(0).key, reading(sensor(1).id, 1, chain.time, GOOD), 0);
    expect(await verdictOf(tx)).toMatchObject({ kind: "reject", code: TxErrorCode.UNAUTHORISED, stage: InspectStage.STATEFUL });
  });

  it("BAD_SIGNATURE at the signature stage", async () => {
    const tx = submit(0, 1, chain.time, GOOD);
    const bytes = new Uint8Array(tx.bytes);
    bytes[bytes.length - 3]! ^= 1;
    const [result] = await admitOn(chain, [{ ...tx, bytes } as typeof tx]);
    expect(result!.verdict).toMatchObject({ kind: "reject", code: TxErrorCode.BAD_SIGNATURE, stage: InspectStage.SIGNATURE });
  });

  it("DEVICE_SUSPENDED and SEQ_REPLAY from the contract's own checks", async () => {
    expect((await chain.outcomes([submit(0, 5, chain.time, GOOD)]))[0]).toMatchObject({ status: "ok" });
    expect(await verdictOf(submit(0, 5, chain.time + HOUR, GOOD, 1))).toMatchObject({ kind: "reject", code: TxErrorCode.SEQ_REPLAY });
    expect((await chain.run(chain.t.operator, "devices.suspend", [sensor(1).id, "maintenance"])).status).toBe("ok");
    expect(await verdictOf(submit(1, 1, chain.time, GOOD))).toMatchObject({ kind: "reject", code: TxErrorCode.DEVICE_SUSPENDED });
  });

  it("lists each reading of a batch; a batch whose readings all fail is rejected with the first code", async () => {
    const outsider = generateKeyPair("secp256k1");
    await chain.registerDevice({ id: "loose-1", key: outsider });
    const mixed = makeBatch(chain.t.genesis, station.bridge.key, [reading(sensor(0).id, 1, chain.time, GOOD), reading(sensor(1).id, 1, chain.time, { t: 50, rh: 50 }), reading("loose-1", 1, chain.time, GOOD)], 0);
    expect(await verdictOf(mixed)).toMatchObject({
      kind: "flag",
      findings: [{ code: ReadingFinding.OUT_OF_RANGE }],
      readings: [{ code: "" }, { code: "", findings: [{ code: ReadingFinding.OUT_OF_RANGE }] }, { code: TxErrorCode.NOT_BOUND_TO_BRIDGE }],
    });
    const bad = makeBatch(chain.t.genesis, station.bridge.key, [reading("loose-1", 1, chain.time, GOOD), reading("nobody", 1, chain.time, GOOD)], 0);
    const v = await verdictOf(bad);
    expect(v).toMatchObject({ kind: "reject", code: TxErrorCode.NOT_BOUND_TO_BRIDGE, readings: [{ code: TxErrorCode.NOT_BOUND_TO_BRIDGE }, { code: TxErrorCode.DEVICE_UNKNOWN }] });
    expect(v.kind === "reject" && v.error.details).toMatchObject({ readings: [{ deviceId: "loose-1" }, { deviceId: "nobody" }] });
  });

  it("DUPLICATE for a transaction already pending, before its signature is checked", async () => {
    const mempool = new Mempool();
    const tx = submit(0, 1, chain.time, GOOD);
    await admitOn(chain, [tx], mempool);
    expect((await admitOn(chain, [tx], mempool))[0]!.verdict).toMatchObject({ kind: "reject", code: TxErrorCode.DUPLICATE, stage: InspectStage.STATELESS });
  });

  it("inspects a bare reading against the device's profile and reading state, with no signature", async () => {
    const env = inspectEnvOf(chain);
    expect(await inspectBareReading(chain.state, env, { deviceId: sensor(0).id, values: GOOD, ts: chain.time })).toMatchObject({ kind: "accept" });
    expect(await inspectBareReading(chain.state, env, { deviceId: sensor(0).id, values: { t: 50, rh: 50 }, ts: chain.time })).toMatchObject({
      kind: "flag",
      findings: [{ code: ReadingFinding.OUT_OF_RANGE }],
    });
    expect(await inspectBareReading(chain.state, env, { deviceId: sensor(0).id, values: { t: 20 }, ts: chain.time })).toMatchObject({ kind: "reject", code: TxErrorCode.HARD_VIOLATION });
    expect(await inspectBareReading(chain.state, env, { deviceId: "nobody", values: GOOD, ts: chain.time })).toMatchObject({ kind: "reject", code: TxErrorCode.DEVICE_UNKNOWN });
    expect(await inspectBareReading(chain.state, env, { deviceId: sensor(0).id, values: GOOD, ts: chain.time + 10 * 60_000 })).toMatchObject({
      kind: "reject",
      code: ReadingRejection.TS_IN_FUTURE,
    });
    await expect(inspectBareReading(chain.state, env, { deviceId: "Not An Id", values: GOOD, ts: 0 })).rejects.toMatchObject({ code: TxErrorCode.MALFORMED });
  });

  it("re-checks pending transactions against a new head: a device suspended by the block loses its pending readings", async () => {
    const pending = [submit(0, 1, chain.time, GOOD), submit(1, 1, chain.time, GOOD)];
    expect(await recheckPending(pending, inspectEnvOf(chain), chain)).toEqual([]);
    expect((await chain.run(chain.t.operator, "devices.suspend", [sensor(0).id, "maintenance"])).status).toBe("ok");
    expect(await recheckPending(pending, inspectEnvOf(chain), chain)).toEqual([{ tx: pending[0], code: TxErrorCode.DEVICE_SUSPENDED }]);
  });

  it("runs a large batch in slices: the event loop turns while its signatures are verified inline and its state checked", async () => {
    const txs = Array.from({ length: STATE_SLICE + 10 }, (_, n) => makeTransfer(chain.t.genesis, chain.t.stranger, chain.t.consumer, 1n, { nonce: n }));
    await inspectOn(chain, txs.slice(0, 1)); // the accounts into the node's cache: every read below settles at once
    const loop = countTurns();
    const results = await inspectOn(chain, txs, txs.length);
    const turns = loop.stop();
    expect(results.map((r) => r.verdict.kind)).toEqual(txs.map(() => "accept"));
    const breaks = Math.ceil(txs.length / SIGNATURE_SLICE) - 1 + Math.ceil(txs.length / STATE_SLICE) - 1;
    expect(turns).toBeGreaterThanOrEqual(breaks);
  });

  it("re-checks a large mempool in slices, the event loop turning between them; a pass overtaken by a newer head refuses nothing", async () => {
    const txs = Array.from({ length: 2 * STATE_SLICE + 10 }, (_, n) => makeTransfer(chain.t.genesis, chain.t.stranger, chain.t.consumer, 1n, { nonce: n }));
    const env = inspectEnvOf(chain);
    // Nonces past MAX_NONCE_AHEAD are refused; this first pass also brings every key into the node's cache.
    const refused = await recheckPending(txs, env, chain);
    expect(refused.map((r) => r.tx)).toEqual(txs.slice(MAX_NONCE_AHEAD + 1));
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set([TxErrorCode.NONCE_TOO_HIGH]));

    // Every read is now a cache hit, which settles at once: only the pass's own breaks let a timer run.
    const loop = countTurns();
    expect(await recheckPending(txs, env, chain)).toHaveLength(refused.length);
    const turns = loop.stop();
    expect(turns).toBeGreaterThanOrEqual(2);

    let asked = 0;
    expect(await recheckPending(txs, env, chain, { stale: () => ++asked > 0 })).toEqual([]);
    expect(asked).toBe(1);
  });
});
