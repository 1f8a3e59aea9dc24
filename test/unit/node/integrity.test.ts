import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deviceIntegrityJson } from "../../../src/api/views.js";
import { deviceCommand } from "../../../src/cli/commands/device.js";
import { deviceRecordKey } from "../../../src/client/deviceRecord.js";
import { IntegrityCheckCode, verifyIntegrity, type DeviceIntegrityAnswer } from "../../../src/client/integrity.js";
import {
  generateKeyPair,
  publishProfileArgs,
  registerDeviceArgs,
  toHex,
  TxKind,
  type KeyPair,
} from "../../../src/client/index.js";
import { AttestaError, isAttestaError } from "../../../src/errors.js";
import { fromHex } from "../../../src/crypto/bytes.js";
import { decodeHeader } from "../../../src/ledger/header.js";
import type { ChainStore } from "../../../src/ledger/storage/chainStore.js";
import type { Chain } from "../../../src/node/chain.js";
import { AttestationQueryService } from "../../../src/node/queries.js";
import { IntegrityErrorCode, type AttestationQueries, type NodeService } from "../../../src/node/types.js";
import { http, startTestNode, type TestNode } from "../../fixtures/node.js";

// GET /v1/devices/:id/integrity against a real dev node (sole validator, so every block is
// final with its own commit): the answer verifies with the SDK's verifyIntegrity; an answer
// proved against an older finalized root keeps verifying after later blocks; a record changed
// after the finalized header is NOT_FINALIZED; `attesta device verify` says so with its codes.

const PROFILE = "pm-int";
const DEVICE = "st.3:pm";
const SPEC = { metrics: { pm25: { unit: "ug/m3", min: 0, max: 100, hardMin: 0, hardMax: 1000, required: true } } };

let t: TestNode;
let deviceKey: KeyPair;

async function integrity(id = DEVICE): Promise<DeviceIntegrityAnswer> {
  const { status, body } = await http(`${t.url}/v1/devices/${encodeURIComponent(id)}/integrity`);
  expect(status).toBe(200);
  return body as DeviceIntegrityAnswer;
}

/** The query service over the node's own chain, seeing `finalizedHeight` as `height`. */
function queriesFinalizedAt(height: number): AttestationQueryService {
  const chain = Object.create(t.node.chain, { finalizedHeight: { value: height } }) as Chain;
  const store = {
    block: async (h: number) => (await t.node.blockByHeight(h))?.block,
    commit: async (h: number) => (await t.node.blockByHeight(h))?.commit,
    scan: async () => [],
  } as unknown as ChainStore;
  return new AttestationQueryService({ store, chain, mempool: undefined as never });
}

/** Runs `attesta device <args>` in process; its stdout, stderr and exit code. */
async function runDevice(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    await deviceCommand().exitOverride().parseAsync(args, { from: "user" });
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = typeof process.exitCode === "number" ? process.exitCode : 0;
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

beforeAll(async () => {
  t = await startTestNode();
  deviceKey = generateKeyPair("ed25519");
  await t.client.send(t.devKey, TxKind.PUBLISH_PROFILE, publishProfileArgs(PROFILE, SPEC), { wait: true });
  const register = registerDeviceArgs({ id: DEVICE, keyType: "ed25519", publicKey: deviceKey.publicKey, profileId: PROFILE });
  expect((await t.client.send(t.devKey, TxKind.REGISTER_DEVICE, register, { wait: true })).status?.receipt?.status).toBe("ok");
  await t.client.sendReading(deviceKey, { deviceId: DEVICE, values: { pm25: 12 } }, { wait: true });
  await t.client.sendReading(deviceKey, { deviceId: DEVICE, values: { pm25: 400 } }, { wait: true });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe("GET /v1/devices/:id/integrity", () => {
  it("answers the record proved against the latest finalized header, and the answer verifies", async () => {
    const answer = await integrity();
    const status = t.node.status();
    expect(answer).toMatchObject({
      id: DEVICE,
      status: "active",
      kind: "sensor",
      owner: toHex(t.devKey.address),
      profileId: PROFILE,
      profileVersion: 1,
      bridge: null,
      counters: { readings: 2, anomalies: 1 },
      recentFindings: [{ deviceId: DEVICE, seq: 2, findings: [{ code: "OUT_OF_RANGE", metric: "pm25" }] }],
    });
    expect(answer.proof.height).toBe(status.finalizedHeight);
    expect(answer.proof.key).toBe(toHex(deviceRecordKey(DEVICE)));
    expect(decodeHeader(fromHex(answer.proof.header)).stateRoot).toEqual(fromHex(answer.proof.stateRoot));
    expect(answer.proof.commit).toMatch(/^0x[0-9a-f]+$/);

    const verdict = verifyIntegrity(answer);
    expect(verdict).toMatchObject({ holds: true, deviceId: DEVICE, height: status.finalizedHeight, trust: "claimed-validators" });
    expect(verdict.holds && verdict.record).toMatchObject({ status: "active", profileId: PROFILE, owner: toHex(t.devKey.address) });
    const trusted = (await t.client.validators()).validators.map((v) => v.publicKey);
    expect(verifyIntegrity(answer, { trustedValidators: trusted, chainId: status.chainId })).toMatchObject({ holds: true, trust: "trusted-validators" });
    expect(await t.client.deviceIntegrity(DEVICE)).toEqual(answer);
  });

  it("answers NOT_FOUND to an unknown device and BAD_REQUEST to a bad id", async () => {
    expect((await http(`${t.url}/v1/devices/nobody/integrity`)).body.error.code).toBe("NOT_FOUND");
    const bad = await http(`${t.url}/v1/devices/UPPER/integrity`);
    expect([bad.status, bad.body.error.code]).toEqual([400, "BAD_REQUEST"]);
  });

  it("an answer proved against an older finalized root still verifies after later blocks change the record", async () => {
    const old = await integrity();
    await t.client.sendReading(deviceKey, { deviceId: DEVICE, values: { pm25: 13 } }, { wait: true });
    const fresh = await integrity();
    expect(fresh.proof.height).toBeGreaterThan(old.proof.height);
    expect(fresh.counters.readings).toBe(old.counters.readings + 1);
    expect(verifyIntegrity(fresh)).toMatchObject({ holds: true });
    expect(verifyIntegrity(old)).toMatchObject({ holds: true, height: old.proof.height });
    // The node still proves the old root: its tree keeps the nodes of past roots.
    const proof = await t.node.chain.tree.prove(fromHex(old.proof.stateRoot), deviceRecordKey(DEVICE));
    expect([toHex(proof.bitmap), proof.siblings.map(toHex)]).toEqual([old.proof.bitmap, old.proof.siblings]);
    // The head's record against the old root does not hold.
    expect(verifyIntegrity({ ...old, counters: fresh.counters, proof: { ...old.proof, record: fresh.proof.record } })).toMatchObject({
      holds: false,
      code: IntegrityCheckCode.BAD_PROOF,
    });
  });

  it("proves against the finalized header when the head is ahead of it, or answers NOT_FINALIZED if the record changed since", async () => {
    const changedAt = t.node.status().height; // the last block changed the record
    await t.client.transfer(t.devKey, generateKeyPair().address, 1n, { wait: true }); // a block that leaves it alone
    const head = t.node.status().height;
    expect(head).toBe(changedAt + 1);

    const behind = await queriesFinalizedAt(changedAt).deviceIntegrity(DEVICE);
    expect(behind?.header.height).toBe(changedAt);
    const answer = JSON.parse(JSON.stringify(deviceIntegrityJson(behind!))) as DeviceIntegrityAnswer;
    expect(verifyIntegrity(answer)).toMatchObject({ holds: true, height: changedAt });

    const error = await queriesFinalizedAt(changedAt - 1).deviceIntegrity(DEVICE).catch((err: unknown) => err);
    expect(isAttestaError(error) && error.code).toBe(IntegrityErrorCode.NOT_FINALIZED);
    expect(await queriesFinalizedAt(changedAt - 1).deviceIntegrity("nobody")).toBeUndefined();
  });
});

describe("attesta device verify", () => {
  it("prints the verified record and exits 0 when the answer holds", async () => {
    const text = await runDevice(["verify", DEVICE, "--api", t.url]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`holds:      device ${DEVICE} is active under profile ${PROFILE}`);
    expect(text.stdout).toContain("trust:      claimed-validators");
    const json = await runDevice(["verify", DEVICE, "--api", t.url, "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ holds: true, deviceId: DEVICE, record: { status: "active", profileId: PROFILE } });
  });

  it("exits 1 with the failing check's code against a lying node, and with NOT_FINALIZED when the node cannot answer yet", async () => {
    let mode: "lie" | "wait" = "lie";
    const liar = await startTestNode({
      service: (node) =>
        new Proxy(node, {
          get(target, prop, receiver) {
            if (prop !== "deviceIntegrity") return Reflect.get(target, prop, receiver) as unknown;
            return async (id: string) => {
              if (mode === "wait") throw new AttestaError(IntegrityErrorCode.NOT_FINALIZED, "not final yet");
              const view = await t.node.deviceIntegrity(id);
              return view === undefined ? undefined : { ...view, record: { ...view.record, status: "active" as const, profileId: "lenient" } };
            };
          },
        }) as NodeService & AttestationQueries,
    });
    try {
      const lie = await runDevice(["verify", DEVICE, "--api", liar.url, "--json"]);
      expect(lie.code).toBe(1);
      expect(JSON.parse(lie.stderr).error.code).toBe(IntegrityCheckCode.RECORD_MISMATCH);
      mode = "wait";
      const answer = await http(`${liar.url}/v1/devices/${DEVICE}/integrity`);
      expect([answer.status, answer.body.error.code]).toEqual([503, IntegrityErrorCode.NOT_FINALIZED]);
      const wait = await runDevice(["verify", DEVICE, "--api", liar.url]);
      expect(wait.code).toBe(1);
      expect(wait.stderr).toMatch(/^error NOT_FINALIZED:/);
      const bad = await runDevice(["verify", DEVICE, "--api", t.url, "--validators", "nothex"]);
      expect(bad.stderr).toMatch(/^error BAD_ARGUMENT:/);
    } finally {
      await liar.stop();
    }
  });
});
