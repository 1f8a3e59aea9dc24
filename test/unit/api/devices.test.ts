import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateKeyPair,
  publishProfileArgs,
  registerDeviceArgs,
  toHex,
  TxKind,
  type KeyPair,
  type ReadingResult,
} from "../../../src/client/index.js";
import { http, startTestNode, type TestNode } from "../../fixtures/node.js";

// The attestation endpoints against a real dev node (the dev key holds every role): a
// profile, a p256 device, two readings of which one is flagged; then each view's shape and
// the 404/400 codes, and the SDK's methods over the same views.

const HEX = /^0x([0-9a-f]{2})*$/;
const DECIMAL = /^\d+$/;
const PROFILE = "pm-test";
const DEVICE = "st.1:pm";
const SPEC = {
  metrics: { pm25: { unit: "ug/m3", min: 0, max: 100, hardMin: 0, hardMax: 1000, required: true } },
  interval: { maxSeconds: 3600 },
};

let t: TestNode;
let deviceKey: KeyPair;
let flagged: ReadingResult;

async function expectError(path: string, status: number, code: string): Promise<void> {
  const answer = await http(`${t.url}${path}`);
  expect({ path, status: answer.status, code: answer.body?.error?.code }).toEqual({ path, status, code });
}

beforeAll(async () => {
  t = await startTestNode();
  deviceKey = generateKeyPair("p256");
  await t.client.send(t.devKey, TxKind.PUBLISH_PROFILE, publishProfileArgs(PROFILE, SPEC), { wait: true });
  const register = registerDeviceArgs({ id: DEVICE, keyType: "p256", publicKey: deviceKey.publicKey, profileId: PROFILE, zone: "centre" });
  const registered = await t.client.send(t.devKey, TxKind.REGISTER_DEVICE, register, { wait: true });
  expect(registered.status?.receipt?.status).toBe("ok");
  const ok = await t.client.sendReading(deviceKey, { deviceId: DEVICE, values: { pm25: 12.5 } }, { wait: true });
  expect(ok.status?.receipt).toMatchObject({ status: "ok" });
  flagged = await t.client.sendReading(deviceKey, { deviceId: DEVICE, values: { pm25: 500 } }, { wait: true });
  expect(flagged.status?.receipt).toMatchObject({ status: "ok" });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe("GET /v1/devices/:id", () => {
  it("shows the record, status, profile version, counters, last reading, address and pending nonce", async () => {
    const { status, body } = await http(`${t.url}/v1/devices/${encodeURIComponent(DEVICE)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: DEVICE,
      status: "active",
      kind: "sensor",
      keyType: "p256",
      publicKey: toHex(deviceKey.publicKey),
      address: toHex(deviceKey.address),
      owner: toHex(t.devKey.address),
      profileId: PROFILE,
      profileVersion: 1,
      bridge: null,
      zone: "centre",
      meta: null,
      nonce: 2,
      pendingNonce: 2,
      lastReading: { seq: 2, ts: flagged.reading[2] },
      late: false,
      anomalyWindow: [],
    });
    expect(body.registeredAt).toEqual(expect.any(Number));
    expect(body.counters).toMatchObject({ readings: 2, anomalies: 1 });
    expect(body.counters.feesPaid).toMatch(DECIMAL);
  });

  it("answers NOT_FOUND to an unknown device and BAD_REQUEST to an id outside [a-z0-9._:-]{1,64}", async () => {
    await expectError("/v1/devices/nobody", 404, "NOT_FOUND");
    await expectError("/v1/devices/nobody/readings", 404, "NOT_FOUND");
    await expectError("/v1/devices/nobody/anomalies", 404, "NOT_FOUND");
    await expectError("/v1/devices/UPPER", 400, "BAD_REQUEST");
    await expectError(`/v1/devices/${"x".repeat(65)}`, 400, "BAD_REQUEST");
    await expectError("/v1/devices/a%20b/readings", 400, "BAD_REQUEST");
  });
});

describe("GET /v1/devices/:id/readings", () => {
  it("lists accepted readings by ascending seq with values, findings and the profile version", async () => {
    const { status, body } = await http(`${t.url}/v1/devices/${DEVICE}/readings`);
    expect(status).toBe(200);
    expect(body.readings).toHaveLength(2);
    expect(body.readings[0]).toMatchObject({ deviceId: DEVICE, seq: 1, values: [["pm25", 12.5]], findings: [], profile: PROFILE, version: 1 });
    expect(body.readings[0]).toEqual({
      deviceId: DEVICE,
      seq: 1,
      ts: expect.any(Number),
      height: expect.any(Number),
      txIndex: expect.any(Number),
      index: 0,
      values: [["pm25", 12.5]],
      findings: [],
      profile: PROFILE,
      version: 1,
    });
    expect(body.readings[1]).toMatchObject({ seq: 2, height: flagged.status?.height, findings: [{ code: "OUT_OF_RANGE", metric: "pm25" }] });
  });

  it("pages with from (a seq) and limit, and refuses bad values with BAD_REQUEST", async () => {
    expect((await http(`${t.url}/v1/devices/${DEVICE}/readings?from=2`)).body.readings.map((r: { seq: number }) => r.seq)).toEqual([2]);
    expect((await http(`${t.url}/v1/devices/${DEVICE}/readings?limit=1`)).body.readings.map((r: { seq: number }) => r.seq)).toEqual([1]);
    expect((await http(`${t.url}/v1/devices/${DEVICE}/readings?from=99`)).body.readings).toEqual([]);
    for (const query of ["limit=0", "limit=1001", "limit=abc", "from=-1", "from=1.5", "limit="]) {
      await expectError(`/v1/devices/${DEVICE}/readings?${query}`, 400, "BAD_REQUEST");
    }
  });
});

describe("anomalies", () => {
  it("GET /v1/devices/:id/anomalies lists the device's flagged readings", async () => {
    const { status, body } = await http(`${t.url}/v1/devices/${DEVICE}/anomalies`);
    expect(status).toBe(200);
    expect(body.anomalies).toHaveLength(1);
    expect(body.anomalies[0]).toMatchObject({ deviceId: DEVICE, seq: 2, findings: [{ code: "OUT_OF_RANGE", metric: "pm25", value: 500, bound: 100 }] });
    await expectError(`/v1/devices/${DEVICE}/anomalies?limit=5000`, 400, "BAD_REQUEST");
  });

  it("GET /v1/anomalies lists flagged readings across the chain from a height", async () => {
    const height = flagged.status?.height as number;
    const all = await http(`${t.url}/v1/anomalies`);
    expect(all.status).toBe(200);
    expect(all.body.anomalies).toEqual([expect.objectContaining({ deviceId: DEVICE, seq: 2, height })]);
    expect((await http(`${t.url}/v1/anomalies?fromHeight=${height}&limit=10`)).body.anomalies).toHaveLength(1);
    expect((await http(`${t.url}/v1/anomalies?fromHeight=${height + 1}`)).body.anomalies).toEqual([]);
    await expectError("/v1/anomalies?fromHeight=x", 400, "BAD_REQUEST");
    await expectError("/v1/anomalies?limit=0", 400, "BAD_REQUEST");
  });
});

describe("GET /v1/profiles/:id", () => {
  it("shows the newest version, or ?version=, with the spec as the JSON that was published", async () => {
    const { status, body } = await http(`${t.url}/v1/profiles/${PROFILE}`);
    expect(status).toBe(200);
    expect(body).toEqual({ id: PROFILE, version: 1, publishedAt: expect.any(Number), spec: SPEC });
    expect((await http(`${t.url}/v1/profiles/${PROFILE}?version=1`)).body).toEqual(body);
  });

  it("answers NOT_FOUND to an unknown profile or version, BAD_REQUEST to a bad id or version", async () => {
    await expectError("/v1/profiles/nothing", 404, "NOT_FOUND");
    await expectError(`/v1/profiles/${PROFILE}?version=2`, 404, "NOT_FOUND");
    await expectError(`/v1/profiles/${PROFILE}?version=0`, 400, "BAD_REQUEST");
    await expectError(`/v1/profiles/${PROFILE}?version=v1`, 400, "BAD_REQUEST");
    await expectError("/v1/profiles/Bad%20Id", 400, "BAD_REQUEST");
  });
});

describe("GET /v1/validators", () => {
  it("shows the set with addresses and keys, and no open votes", async () => {
    const { status, body } = await http(`${t.url}/v1/validators`);
    expect(status).toBe(200);
    expect(body.validators.map((v: { address: string }) => v.address)).toEqual(t.node.status().validators.map(toHex));
    expect(body.validators[0].publicKey).toMatch(HEX);
    expect(body.votes).toEqual([]);
  });
});

describe("market", () => {
  it("GET /v1/market/offers lists offers (none yet) and pages with from and limit", async () => {
    expect(await http(`${t.url}/v1/market/offers`)).toMatchObject({ status: 200, body: { offers: [] } });
    expect(await http(`${t.url}/v1/market/offers?from=0&limit=10`)).toMatchObject({ status: 200, body: { offers: [] } });
    await expectError("/v1/market/offers?limit=-5", 400, "BAD_REQUEST");
  });

  it("GET /v1/market/licences needs a buyer address", async () => {
    const buyer = toHex(generateKeyPair().address);
    expect(await http(`${t.url}/v1/market/licences?buyer=${buyer}`)).toMatchObject({ status: 200, body: { licences: [] } });
    await expectError("/v1/market/licences", 400, "BAD_REQUEST");
    await expectError("/v1/market/licences?buyer=0x1234", 400, "BAD_REQUEST");
  });
});

describe("GET /v1/accounts/:address", () => {
  it("shows roles and counters: transactions, its devices' readings and anomalies, fees", async () => {
    const { body } = await http(`${t.url}/v1/accounts/${toHex(t.devKey.address)}`);
    expect([...body.roles].sort()).toEqual(["admin", "consumer", "operator"]);
    expect(body.counters).toMatchObject({ readings: 2, anomalies: 1 });
    expect(body.counters.txs).toBeGreaterThanOrEqual(2);
    expect(body.counters.feesPaid).toMatch(DECIMAL);
    const stranger = toHex(generateKeyPair().address);
    expect((await http(`${t.url}/v1/accounts/${stranger}`)).body).toEqual({
      address: stranger,
      balance: "0",
      nonce: 0,
      pendingNonce: 0,
      roles: [],
      counters: { txs: 0, readings: 0, anomalies: 0, feesPaid: "0" },
    });
  });
});

describe("the SDK over these endpoints", () => {
  it("reads devices, readings, anomalies, profiles, validators, offers and licences", async () => {
    const c = t.client;
    const device = await c.device(DEVICE);
    expect(device).toMatchObject({ id: DEVICE, status: "active", pendingNonce: 2 });
    expect(typeof device.counters.feesPaid).toBe("bigint");
    expect((await c.deviceReadings(DEVICE, { from: 1, limit: 1 })).map((r) => r.seq)).toEqual([1]);
    expect((await c.deviceAnomalies(DEVICE)).map((a) => a.seq)).toEqual([2]);
    expect((await c.anomalies({ fromHeight: 0 })).map((a) => a.deviceId)).toEqual([DEVICE]);
    expect(await c.profile(PROFILE, 1)).toMatchObject({ id: PROFILE, version: 1, spec: SPEC });
    expect((await c.validators()).validators).toHaveLength(1);
    expect(await c.marketOffers()).toEqual([]);
    expect(await c.licences(t.devKey.address)).toEqual([]);
    const account = await c.account(t.devKey.address);
    expect(typeof account.counters.feesPaid).toBe("bigint");
    expect(account.roles).toContain("operator");
    await expect(c.device("nobody")).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
    await expect(c.profile(PROFILE, 9)).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  it("sends readings with the device's nonce and next seq, and refuses a batch without the bridge's id", async () => {
    const first = await t.client.sendReading(deviceKey, { deviceId: DEVICE, values: { pm25: 20 } });
    const second = await t.client.sendReading(deviceKey, { deviceId: DEVICE, values: { pm25: 21 } }, { wait: true });
    expect([first.tx.nonce, second.tx.nonce]).toEqual([2, 3]);
    expect([first.reading[1], second.reading[1]]).toEqual([3, 4]);
    expect(second.status?.receipt?.status).toBe("ok");
    await t.client.waitForTx(first.hash);
    expect((await t.client.device(DEVICE)).lastReading?.seq).toBe(4);
    await expect(t.client.send(deviceKey, TxKind.SUBMIT_BATCH, [[]])).rejects.toThrow(TypeError);
  });
});
