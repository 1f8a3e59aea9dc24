import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AttestaClient } from "../../src/client/index.js";
import { buildCli, runCli as cli, spawnCli } from "../fixtures/cli.js";
import { freePort, removeDir, tempDir, waitFor } from "../fixtures/node.js";

// Device attestation through the built `attesta` command: publish a profile, register a P-256
// device, send readings signed by it, see the flagged one in `device show` and
// `GET /v1/anomalies`, suspend and reinstate the device. Codes, not messages.

/** Runs a command with --api and --json; its JSON output, after checking the exit status. */
async function cliJson(expectedCode: number, ...args: string[]): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await cli([...args, "--api", api, "--json"]);
  expect({ args: args.slice(0, 2), code: r.code, stderr: r.code === expectedCode ? "" : r.stderr }).toEqual({ args: args.slice(0, 2), code: expectedCode, stderr: "" });
  return JSON.parse(expectedCode === 0 ? r.stdout : r.stderr);
}

const SPEC = {
  metrics: { pm25: { unit: "ug/m3", min: 0, max: 100, hardMin: 0, hardMax: 1000, required: true } },
  interval: { maxSeconds: 3600 },
};

let node: ChildProcess | undefined;
let dataDir: string;
let api: string;
let client: AttestaClient;
let devKey: string;
let sensorKey: string;

beforeAll(async () => {
  await buildCli();
  dataDir = await tempDir("attesta-e2e-devices-");
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  client = new AttestaClient({ url: api, timeoutMs: 5_000 });
  node = spawnCli(["start", "--dev", "--no-p2p", "--data-dir", dataDir, "--api-port", String(port)], { ATTESTA_LOG_LEVEL: "warn" }).child;
  await waitFor(() => client.status(), 15_000);
  devKey = join(dataDir, "dev.key");
  sensorKey = join(dataDir, "sensor.key");
}, 180_000);

afterAll(async () => {
  if (node !== undefined && node.exitCode === null && node.signalCode === null) node.kill("SIGKILL");
  if (dataDir !== undefined) await removeDir(dataDir);
});

describe("attesta device, profile and reading commands", () => {
  it("publishes a profile and registers a P-256 device made with keys new", async () => {
    const specPath = join(dataDir, "spec.json");
    await writeFile(specPath, JSON.stringify(SPEC, null, 2));
    const published = await cliJson(0, "profile", "publish", "--key", devKey, "--id", "pm", specPath, "--wait");
    expect(published).toMatchObject({ kind: "profiles.publish", profile: "pm", status: { receipt: { status: "ok" } } });
    expect(await cliJson(0, "profile", "show", "pm")).toMatchObject({ id: "pm", version: 1, spec: SPEC });

    const made = await cli(["keys", "new", "--type", "p256", "--out", sensorKey, "--json"]);
    expect(made.code).toBe(0);
    const { publicKey, address } = JSON.parse(made.stdout) as { publicKey: string; address: string };
    const registered = await cliJson(
      0,
      "device", "register", "--key", devKey, "--id", "st-1", "--key-type", "p256", "--public-key", publicKey, "--profile", "pm", "--zone", "centre", "--wait",
    );
    expect(registered).toMatchObject({ kind: "devices.register", status: { receipt: { status: "ok" } } });
    expect(await cliJson(0, "device", "show", "st-1")).toMatchObject({ id: "st-1", status: "active", keyType: "p256", address, profileVersion: 1, anomalies: [] });
  });

  it("sends readings with the next seq, flags one out of range and refuses a hard violation", async () => {
    const ok = await cliJson(0, "reading", "send", "--key", sensorKey, "--device", "st-1", "pm25=12.5", "--wait");
    expect(ok).toMatchObject({ kind: "readings.submit", device: "st-1", seq: 1, readings: [{ device: "st-1", seq: 1, status: "ok", findings: [] }] });

    const high = await cliJson(0, "reading", "send", "--key", sensorKey, "--device", "st-1", "pm25=500", "--wait");
    expect(high).toMatchObject({ seq: 2, readings: [{ status: "ok", findings: [{ code: "OUT_OF_RANGE", metric: "pm25", value: 500, bound: 100 }] }] });

    const impossible = await cliJson(1, "reading", "send", "--key", sensorKey, "--device", "st-1", "pm25=5000", "--wait");
    expect(impossible.error.code).toBe("HARD_VIOLATION");
    const bad = await cliJson(1, "reading", "send", "--key", sensorKey, "--device", "st-1", "pm25=lots");
    expect(bad.error.code).toBe("BAD_ARGUMENT");
  });

  it("shows the flagged reading in device show and GET /v1/anomalies", async () => {
    const shown = await cliJson(0, "device", "show", "st-1");
    expect(shown).toMatchObject({ lastReading: { seq: 2 }, counters: { readings: 2, anomalies: 1 } });
    expect(shown.anomalies).toEqual([expect.objectContaining({ deviceId: "st-1", seq: 2, findings: [expect.objectContaining({ code: "OUT_OF_RANGE" })] })]);
    const text = await cli(["device", "show", "st-1", "--api", api]);
    expect(text.stdout).toContain("OUT_OF_RANGE pm25=500");
    const anomalies = await client.anomalies();
    expect(anomalies.map((a) => [a.deviceId, a.seq])).toEqual([["st-1", 2]]);
  });

  it("suspends the device (its readings are refused) and reinstates it", async () => {
    const suspended = await cliJson(0, "device", "suspend", "--key", devKey, "--id", "st-1", "--reason", "inspection", "--wait");
    expect(suspended).toMatchObject({ kind: "devices.suspend", status: { receipt: { status: "ok" } } });
    expect((await client.device("st-1")).status).toBe("suspended");
    const refused = await cliJson(1, "reading", "send", "--key", sensorKey, "--device", "st-1", "pm25=10", "--wait");
    expect(refused.error.code).toBe("DEVICE_SUSPENDED");

    await cliJson(0, "device", "reinstate", "--key", devKey, "--id", "st-1", "--wait");
    expect((await client.device("st-1")).status).toBe("active");
    const again = await cliJson(0, "reading", "send", "--key", sensorKey, "--device", "st-1", "pm25=11", "--wait");
    expect(again).toMatchObject({ seq: 3, readings: [{ status: "ok" }] });
  });

  it("reports the codes of failed transactions and bad arguments", async () => {
    const twice = await cliJson(1, "device", "reinstate", "--key", devKey, "--id", "st-1", "--wait");
    expect(twice.error.code).toBe("WRONG_STATUS");
    const unknown = await cliJson(1, "device", "show", "nobody");
    expect(unknown.error.code).toBe("NOT_FOUND");
    const badId = await cliJson(1, "device", "suspend", "--key", devKey, "--id", "Not Valid");
    expect(badId.error.code).toBe("BAD_ARGUMENT");
    const text = await cli(["validator", "vote", "--key", devKey, "--target", "0x" + "11".repeat(20), "--add", "--api", api]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^error BAD_ARGUMENT: /);
  });
});
