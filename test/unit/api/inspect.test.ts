import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildTransaction,
  generateKeyPair,
  publishProfileArgs,
  readingArgs,
  registerDeviceArgs,
  suspendDeviceArgs,
  toHex,
  TxKind,
  type KeyPair,
  type Reading,
} from "../../../src/client/index.js";
import { inspectCommand } from "../../../src/cli/commands/inspect.js";
import { http, startTestNode, waitFor, type TestNode } from "../../fixtures/node.js";

// POST /v1/txs answers with the verdict, and POST /v1/inspect gives it without admission, for
// a signed transaction or a bare reading; against a real dev node (the dev key holds every role).

const PROFILE = "inspect-test";
const DEVICE = "insp-1";
const SPEC = { metrics: { pm25: { unit: "ug/m3", min: 0, max: 100, hardMin: 0, hardMax: 1000, required: true } } };

let t: TestNode;
let deviceKey: KeyPair;
let seq = 0;

/** A signed readings.submit of the device, with its next seq and nonce, not sent. */
async function readingTx(values: Record<string, number>): Promise<ReturnType<typeof buildTransaction>> {
  const { chainId, feePerByte } = await t.client.chainParams();
  const device = await t.client.device(DEVICE);
  const reading: Reading = { deviceId: DEVICE, seq: ++seq, ts: Date.now(), values };
  return buildTransaction({ chainId, kind: TxKind.SUBMIT_READING, args: readingArgs(reading), key: deviceKey, nonce: device.pendingNonce, feePerByte });
}

beforeAll(async () => {
  t = await startTestNode();
  deviceKey = generateKeyPair("p256");
  await t.client.send(t.devKey, TxKind.PUBLISH_PROFILE, publishProfileArgs(PROFILE, SPEC), { wait: true });
  const register = registerDeviceArgs({ id: DEVICE, keyType: "p256", publicKey: deviceKey.publicKey, profileId: PROFILE });
  await t.client.send(t.devKey, TxKind.REGISTER_DEVICE, register, { wait: true });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe("POST /v1/inspect", () => {
  it("gives a bare reading's verdict against the device's profile: accept, flag with findings, reject with the code", async () => {
    const post = (json: unknown) => http(`${t.url}/v1/inspect`, { json });
    expect(await post({ deviceId: DEVICE, values: { pm25: 12 } })).toMatchObject({ status: 200, body: { verdict: "accept", readings: [{ deviceId: DEVICE, status: "ok" }] } });
    expect(await post({ deviceId: DEVICE, values: { pm25: 500 } })).toMatchObject({
      status: 200,
      body: { verdict: "flag", findings: [{ code: "OUT_OF_RANGE", metric: "pm25", value: 500, bound: 100 }] },
    });
    expect(await post({ deviceId: DEVICE, values: { pm25: 5000 } })).toMatchObject({ status: 200, body: { verdict: "reject", code: "HARD_VIOLATION", stage: "dry_run" } });
    expect(await post({ deviceId: "nobody", values: { pm25: 1 } })).toMatchObject({ status: 200, body: { verdict: "reject", code: "DEVICE_UNKNOWN" } });
    expect(await post({ deviceId: DEVICE, values: { pm25: 1 }, ts: Date.now() + 3_600_000 })).toMatchObject({ body: { verdict: "reject", code: "TS_IN_FUTURE" } });
  });

  it("BAD_REQUEST for a body that is neither a transaction nor a reading, MALFORMED for an impossible reading", async () => {
    expect(await http(`${t.url}/v1/inspect`, { json: { values: {} } })).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    expect(await http(`${t.url}/v1/inspect`, { json: { deviceId: DEVICE, values: { pm25: "high" } } })).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    expect(await http(`${t.url}/v1/inspect`, { json: { tx: "nope" } })).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    expect(await http(`${t.url}/v1/inspect`, { json: { deviceId: "Not Valid", values: { pm25: 1 } } })).toMatchObject({ status: 400, body: { error: { code: "MALFORMED" } } });
  });

  it("dry-runs a signed transaction without admitting it", async () => {
    const tx = await readingTx({ pm25: 500 });
    const { status, body } = await http(`${t.url}/v1/inspect`, { json: { tx: toHex(tx.bytes) } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ hash: toHex(tx.hash), verdict: "flag", findings: [{ code: "OUT_OF_RANGE" }] });
    expect((await http(`${t.url}/v1/txs/${toHex(tx.hash)}`)).status).toBe(404);
    seq--;
  });

  it("is client.inspect in the SDK, for a signed transaction or a bare reading", async () => {
    expect(await t.client.inspect({ deviceId: DEVICE, values: [["pm25", 500]] })).toMatchObject({ verdict: "flag", findings: [{ code: "OUT_OF_RANGE" }] });
    const tx = await readingTx({ pm25: 5000 });
    expect(await t.client.inspect(tx)).toMatchObject({ verdict: "reject", code: "HARD_VIOLATION" });
    seq--;
  });
});

describe("POST /v1/txs answers with the verdict", () => {
  it("202 with accept, 202 with flag and the findings, 4xx with the code of a reject", async () => {
    const accepted = await http(`${t.url}/v1/txs`, { json: { tx: toHex((await readingTx({ pm25: 10 })).bytes) } });
    expect(accepted).toMatchObject({ status: 202, body: { verdict: "accept", readings: [{ status: "ok", code: "" }] } });
    await t.client.waitForTx((accepted.body as { hash: string }).hash, { timeoutMs: 15_000, pollMs: 50 });

    const flaggedTx = await readingTx({ pm25: 500 });
    expect(await t.client.submitWithVerdict(flaggedTx)).toMatchObject({ hash: toHex(flaggedTx.hash), verdict: "flag", findings: [{ code: "OUT_OF_RANGE" }] });
    await t.client.waitForTx(flaggedTx.hash, { timeoutMs: 15_000, pollMs: 50 });

    const hard = await http(`${t.url}/v1/txs`, { json: { tx: toHex((await readingTx({ pm25: 5000 })).bytes) } });
    expect(hard).toMatchObject({ status: 422, body: { error: { code: "HARD_VIOLATION" } } });
    seq--;
    const stranger = generateKeyPair("secp256k1");
    const { chainId, feePerByte } = await t.client.chainParams();
    const unknown = buildTransaction({ chainId, kind: TxKind.SUBMIT_READING, args: readingArgs({ deviceId: DEVICE, seq: 99, ts: Date.now(), values: { pm25: 1 } }), key: stranger, nonce: 0, feePerByte });
    expect(await http(`${t.url}/v1/txs`, { json: { txs: [toHex(unknown.bytes)] } })).toMatchObject({ status: 200, body: { results: [{ error: { code: "DEVICE_UNKNOWN" } }] } });
  }, 40_000);
});

describe("GET /metrics", () => {
  it("counts verdicts by kind and code and findings by code, times the stages, and shows the verification pool", async () => {
    const { body } = await http(`${t.url}/metrics`);
    const text = String(body);
    expect(text).toMatch(/attesta_inspect_verdicts_total\{verdict="accept",code="NONE"\} [1-9]/);
    expect(text).toMatch(/attesta_inspect_verdicts_total\{verdict="flag",code="NONE"\} [1-9]/);
    expect(text).toMatch(/attesta_inspect_verdicts_total\{verdict="reject",code="HARD_VIOLATION"\} [1-9]/);
    expect(text).toMatch(/attesta_inspect_findings_total\{code="OUT_OF_RANGE"\} [1-9]/);
    for (const stage of ["stateless", "signature", "stateful", "dry_run"]) expect(text).toMatch(new RegExp(`attesta_inspect_stage_seconds_count\\{stage="${stage}"\\} [1-9]`));
    expect(text).toMatch(/attesta_verify_pool_workers \d+/);
    expect(text).toMatch(/attesta_verify_pool_utilisation \d/);
    expect(text).toMatch(/attesta_mempool_bytes \d+/);
  });
});

describe("attesta inspect", () => {
  /** Runs the command in this process: its stdout, and the exit code it set. */
  async function run(args: string[]): Promise<{ out: string; code: number }> {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const before = process.exitCode;
    process.exitCode = 0;
    try {
      await inspectCommand().exitOverride().parseAsync([...args, "--api", t.url], { from: "user" });
      return { out: lines.join(""), code: Number(process.exitCode ?? 0) };
    } finally {
      write.mockRestore();
      process.exitCode = before;
    }
  }

  it("prints a bare reading's verdict, exit 0 for flag and 1 for reject", async () => {
    expect(await run(["--device", DEVICE, "pm25=500"])).toMatchObject({ code: 0, out: expect.stringMatching(/verdict: +flag[\s\S]*OUT_OF_RANGE pm25=500/) });
    expect(await run(["--device", DEVICE, "pm25=5000", "--json"])).toMatchObject({ code: 1, out: expect.stringContaining('"code": "HARD_VIOLATION"') });
  });

  it("inspects a signed transaction given as --tx hex", async () => {
    const tx = await readingTx({ pm25: 10 });
    seq--;
    expect(await run(["--tx", toHex(tx.bytes)])).toMatchObject({ code: 0, out: expect.stringMatching(/verdict: +accept/) });
  });
});

describe("after each block", () => {
  it("re-checks what is pending: a reading of a device the block suspended is dropped with DEVICE_SUSPENDED", async () => {
    const { chainId, feePerByte } = await t.client.chainParams();
    const device = await t.client.device(DEVICE);
    // One nonce ahead: it waits in the mempool for the gap to fill.
    const reading: Reading = { deviceId: DEVICE, seq: 1_000, ts: Date.now(), values: { pm25: 10 } };
    const tx = buildTransaction({ chainId, kind: TxKind.SUBMIT_READING, args: readingArgs(reading), key: deviceKey, nonce: device.pendingNonce + 1, feePerByte });
    expect(await t.client.submitWithVerdict(tx)).toMatchObject({ verdict: "accept" });
    expect(await t.client.txStatus(tx.hash)).toMatchObject({ status: "pending" });
    await t.client.send(t.devKey, TxKind.SUSPEND_DEVICE, suspendDeviceArgs(DEVICE, "maintenance"), { wait: true });
    const status = await waitFor(async () => {
      const s = await t.client.txStatus(tx.hash);
      return s.status === "rejected" ? s : undefined;
    });
    expect(status).toMatchObject({ status: "rejected", code: "DEVICE_SUSPENDED" });
  }, 30_000);
});
