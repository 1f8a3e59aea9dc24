import { describe, expect, it } from "vitest";
import {
  assignProfileArgs,
  batchArgs,
  bindDeviceArgs,
  buildTransaction,
  buyArgs,
  cancelOfferArgs,
  DEVICE_ID_RE,
  DEVICE_SIGNED_KINDS,
  generateKeyPair,
  grantRoleArgs,
  offerArgs,
  publishProfileArgs,
  readingArgs,
  readingOutcomes,
  registerDeviceArgs,
  reinstateDeviceArgs,
  revokeDeviceArgs,
  revokeRoleArgs,
  ROLES,
  rotateDeviceKeyArgs,
  suspendDeviceArgs,
  toHex,
  transferDeviceArgs,
  TxKind,
  voteArgs,
  type Encodable,
  type JsonValue,
  type Reading,
  type ReceiptInfo,
} from "../../../src/client/index.js";
import { createRegistry } from "../../../src/contracts/index.js";
import { ROLES as CONTRACT_ROLES } from "../../../src/contracts/modules/access.js";
import { DEVICE_ID_RE as CONTRACT_DEVICE_ID_RE } from "../../../src/contracts/modules/devices/index.js";
import { PROFILE_ID_RE } from "../../../src/contracts/modules/profiles/index.js";
import { decodeTransaction } from "../../../src/ledger/transaction.js";
import { AIR_QUALITY_SPEC } from "../../fixtures/devices.js";

// Every SDK builder's tuple, signed into a real transaction, decoded from its bytes and then
// by the contract method's own strict `decodeArgs` (the check admission runs).

const registry = createRegistry();
const account = generateKeyPair("secp256k1");
const p256 = generateKeyPair("p256");
const ed25519 = generateKeyPair("ed25519");

/** The args after a round trip through a signed transaction and the method's decoder. */
function decoded(kind: string, args: readonly Encodable[]): unknown {
  const method = registry.method(kind);
  if (method === undefined) throw new Error(`${kind} is not registered`);
  const tx = buildTransaction({ chainId: "test", kind, args, key: account, nonce: 0, feePerByte: 1n });
  return method.decodeArgs(decodeTransaction(tx.bytes).args);
}

describe("the SDK's kinds and rules match the contracts'", () => {
  it("knows only registered kinds, and the device-signed ones name device signers", () => {
    const kinds = registry.kinds();
    for (const kind of Object.values(TxKind)) expect(kinds, kind).toContain(kind);
    for (const kind of DEVICE_SIGNED_KINDS) expect(registry.signerFor(kind)).not.toBe(registry.defaultSigner);
  });

  it("checks ids and roles with the contracts' rules", () => {
    expect(DEVICE_ID_RE.source).toBe(CONTRACT_DEVICE_ID_RE.source);
    expect(DEVICE_ID_RE.source).toBe(PROFILE_ID_RE.source);
    expect([...ROLES]).toEqual(CONTRACT_ROLES);
  });
});

describe("access builders", () => {
  it("grant and revoke: [account, role]", () => {
    for (const role of ROLES) {
      expect(decoded(TxKind.GRANT_ROLE, grantRoleArgs(account.address, role))).toEqual({ account: account.address, role });
      expect(decoded(TxKind.REVOKE_ROLE, revokeRoleArgs(toHex(account.address), role))).toEqual({ account: account.address, role });
    }
    expect(() => grantRoleArgs(account.address, "root" as never)).toThrow(RangeError);
    expect(() => grantRoleArgs("0x1234", "admin")).toThrow(TypeError);
  });
});

describe("devices builders", () => {
  it("register: every key type, sensors with bridge, zone and meta, and bridges", () => {
    for (const key of [account, p256, ed25519]) {
      const args = registerDeviceArgs({ id: "st-1", keyType: key.type, publicKey: toHex(key.publicKey), profileId: "air-quality" });
      expect(decoded(TxKind.REGISTER_DEVICE, args)).toEqual({
        id: "st-1",
        keyType: key.type,
        publicKey: key.publicKey,
        profileId: "air-quality",
        kind: "sensor",
        bridge: null,
        zone: null,
        meta: null,
      });
    }
    const sensor = registerDeviceArgs({
      id: "zone.a:pm-7",
      keyType: "p256",
      publicKey: p256.publicKey,
      profileId: "air-quality",
      bridge: "pi-1",
      zone: "centre",
      meta: "roof of the library",
    });
    expect(decoded(TxKind.REGISTER_DEVICE, sensor)).toMatchObject({ kind: "sensor", bridge: "pi-1", zone: "centre", meta: "roof of the library" });
    const bridge = registerDeviceArgs({ id: "pi-1", keyType: "ed25519", publicKey: ed25519.publicKey, profileId: "bridge", kind: "bridge" });
    expect(decoded(TxKind.REGISTER_DEVICE, bridge)).toMatchObject({ kind: "bridge", bridge: null });
  });

  it("register refuses bad ids, key lengths, key types, kinds and a bridge bound to a bridge", () => {
    const base = { id: "d", keyType: "p256", publicKey: p256.publicKey, profileId: "p" } as const;
    expect(() => registerDeviceArgs({ ...base, id: "Upper" })).toThrow(RangeError);
    expect(() => registerDeviceArgs({ ...base, id: "x".repeat(65) })).toThrow(RangeError);
    expect(() => registerDeviceArgs({ ...base, profileId: "" })).toThrow(RangeError);
    expect(() => registerDeviceArgs({ ...base, zone: "Old Town" })).toThrow(RangeError);
    expect(() => registerDeviceArgs({ ...base, keyType: "ed25519" })).toThrow(TypeError);
    expect(() => registerDeviceArgs({ ...base, keyType: "rsa" as never })).toThrow(RangeError);
    expect(() => registerDeviceArgs({ ...base, kind: "camera" as never })).toThrow(RangeError);
    expect(() => registerDeviceArgs({ ...base, kind: "bridge", bridge: "pi-1" })).toThrow(RangeError);
  });

  it("bind, rotateKey, suspend, reinstate, revoke and transfer", () => {
    expect(decoded(TxKind.BIND_DEVICE, bindDeviceArgs("d-1", "pi-1"))).toEqual({ id: "d-1", bridge: "pi-1" });
    expect(decoded(TxKind.BIND_DEVICE, bindDeviceArgs("d-1", null))).toEqual({ id: "d-1", bridge: null });
    const next = generateKeyPair("p256").publicKey;
    expect(decoded(TxKind.ROTATE_DEVICE_KEY, rotateDeviceKeyArgs("d-1", toHex(next)))).toEqual({ id: "d-1", publicKey: next });
    expect(decoded(TxKind.ROTATE_DEVICE_KEY, rotateDeviceKeyArgs("d-1", ed25519.publicKey))).toEqual({ id: "d-1", publicKey: ed25519.publicKey });
    expect(decoded(TxKind.SUSPEND_DEVICE, suspendDeviceArgs("d-1", "maintenance"))).toEqual({ id: "d-1", reason: "maintenance" });
    expect(decoded(TxKind.SUSPEND_DEVICE, suspendDeviceArgs("d-1"))).toEqual({ id: "d-1", reason: "" });
    expect(decoded(TxKind.REINSTATE_DEVICE, reinstateDeviceArgs("d-1"))).toEqual({ id: "d-1" });
    expect(decoded(TxKind.REVOKE_DEVICE, revokeDeviceArgs("d-1", "stolen"))).toEqual({ id: "d-1", reason: "stolen" });
    expect(decoded(TxKind.TRANSFER_DEVICE, transferDeviceArgs("d-1", toHex(account.address)))).toEqual({ id: "d-1", newOwner: account.address });
    expect(() => rotateDeviceKeyArgs("d-1", "0x00")).toThrow(TypeError);
    expect(() => transferDeviceArgs("d-1", p256.publicKey)).toThrow(TypeError);
    expect(() => suspendDeviceArgs("D 1")).toThrow(RangeError);
  });
});

describe("profiles builders", () => {
  it("publish takes spec text or an object; assign takes two ids", () => {
    expect(decoded(TxKind.PUBLISH_PROFILE, publishProfileArgs("air-quality", AIR_QUALITY_SPEC))).toEqual({
      id: "air-quality",
      specJson: JSON.stringify(AIR_QUALITY_SPEC),
    });
    expect(decoded(TxKind.PUBLISH_PROFILE, publishProfileArgs("p", '{"metrics":{}}'))).toEqual({ id: "p", specJson: '{"metrics":{}}' });
    expect(decoded(TxKind.ASSIGN_PROFILE, assignProfileArgs("d-1", "air-quality"))).toEqual({ deviceId: "d-1", profileId: "air-quality" });
    expect(() => publishProfileArgs("Bad Id", {})).toThrow(RangeError);
    expect(() => assignProfileArgs("d-1", "")).toThrow(RangeError);
  });
});

describe("readings builders", () => {
  it("submit: values sorted by name, from an object or pairs", () => {
    const args = readingArgs({ deviceId: "st-1", seq: 7, ts: 1_700_000_000_000, values: { t: 21.5, co_gt: 2, rh: 48.25 } });
    expect(args[3]).toEqual([
      ["co_gt", 2],
      ["rh", 48.25],
      ["t", 21.5],
    ]);
    expect(decoded(TxKind.SUBMIT_READING, args)).toEqual({ deviceId: "st-1", seq: 7, ts: 1_700_000_000_000, values: args[3] });
    const pairs = readingArgs({ deviceId: "st-1", seq: 0, ts: 0, values: [["b", -1e-9], ["a", 0]] });
    expect(decoded(TxKind.SUBMIT_READING, pairs)).toMatchObject({ values: [["a", 0], ["b", -1e-9]] });
  });

  it("batch: a list of submit tuples", () => {
    const readings: Reading[] = [
      { deviceId: "st-1", seq: 1, ts: 1_000, values: { t: 20 } },
      { deviceId: "st-2", seq: 9, ts: 2_000, values: { rh: 50, t: 19.5 } },
    ];
    expect(decoded(TxKind.SUBMIT_BATCH, batchArgs(readings))).toEqual({
      readings: [
        { deviceId: "st-1", seq: 1, ts: 1_000, values: [["t", 20]] },
        { deviceId: "st-2", seq: 9, ts: 2_000, values: [["rh", 50], ["t", 19.5]] },
      ],
    });
  });

  it("refuses repeated or empty names, non-finite values, bad seq and ts", () => {
    const base = { deviceId: "st-1", seq: 1, ts: 1 };
    expect(() => readingArgs({ ...base, values: [["t", 1], ["t", 2]] })).toThrow(RangeError);
    expect(() => readingArgs({ ...base, values: { "": 1 } })).toThrow(TypeError);
    expect(() => readingArgs({ ...base, values: { t: Number.NaN } })).toThrow(RangeError);
    expect(() => readingArgs({ ...base, values: { t: Infinity } })).toThrow(RangeError);
    expect(() => readingArgs({ ...base, values: { t: "1" as never } })).toThrow(TypeError);
    expect(() => readingArgs({ ...base, seq: -1, values: {} })).toThrow(RangeError);
    expect(() => readingArgs({ ...base, ts: 1.5, values: {} })).toThrow(RangeError);
    expect(() => batchArgs("x" as never)).toThrow(TypeError);
  });
});

describe("validators builder", () => {
  it("vote: the key to add, null to remove", () => {
    const candidate = generateKeyPair("secp256k1");
    expect(decoded(TxKind.VOTE, voteArgs({ target: candidate.address, add: true, publicKey: toHex(candidate.publicKey) }))).toEqual({
      target: candidate.address,
      add: true,
      publicKey: candidate.publicKey,
    });
    expect(decoded(TxKind.VOTE, voteArgs({ target: toHex(candidate.address), add: false }))).toEqual({ target: candidate.address, add: false, publicKey: null });
  });

  it("refuses an addition without a key, a removal with one, and a key of another address", () => {
    const candidate = generateKeyPair("secp256k1");
    expect(() => voteArgs({ target: candidate.address, add: true })).toThrow(TypeError);
    expect(() => voteArgs({ target: candidate.address, add: false, publicKey: candidate.publicKey })).toThrow(TypeError);
    expect(() => voteArgs({ target: account.address, add: true, publicKey: candidate.publicKey })).toThrow(RangeError);
    expect(() => voteArgs({ target: candidate.address, add: true, publicKey: ed25519.publicKey })).toThrow(TypeError);
  });
});

describe("market builders", () => {
  it("offer, buy and cancel", () => {
    expect(decoded(TxKind.OFFER, offerArgs({ feed: "device:st-1", pricePerPeriod: 1_000n, periodSeconds: 3_600, terms: "CC-BY" }))).toEqual({
      feed: "device:st-1",
      pricePerPeriod: 1_000n,
      periodSeconds: 3_600,
      terms: "CC-BY",
    });
    expect(decoded(TxKind.OFFER, offerArgs({ feed: "zone:centre", pricePerPeriod: 5n, periodSeconds: 60 }))).toMatchObject({ feed: "zone:centre", terms: "" });
    expect(decoded(TxKind.BUY, buyArgs(3, 12))).toEqual({ offerId: 3, periods: 12 });
    expect(decoded(TxKind.CANCEL_OFFER, cancelOfferArgs(3))).toEqual({ offerId: 3 });
  });

  it("refuses feeds of another form and amounts outside u64", () => {
    expect(() => offerArgs({ feed: "st-1", pricePerPeriod: 1n, periodSeconds: 1 })).toThrow(RangeError);
    expect(() => offerArgs({ feed: "device:st-1", pricePerPeriod: 1n << 64n, periodSeconds: 1 })).toThrow(RangeError);
    expect(() => offerArgs({ feed: "device:st-1", pricePerPeriod: 1 as never, periodSeconds: 1 })).toThrow(TypeError);
    expect(() => buyArgs(-1, 1)).toThrow(RangeError);
  });
});

describe("readingOutcomes", () => {
  /** A `reading` event as the API renders it: attributes in the contract's order. */
  const readingEvent = (device: string, status: string, code: string, values: JsonValue, findings: JsonValue) => ({
    type: "reading",
    attributes: Object.entries({ device, seq: 4, ts: 1_000, status, code, profile: "air-quality", version: 1, values, findings }).map(
      ([key, value]) => ({ key, value }),
    ),
  });

  it("reads each reading event of a receipt: status, code and findings", () => {
    const receipt: ReceiptInfo = {
      status: "ok",
      code: "",
      fee: 10n,
      events: [
        { type: "device.suspended", attributes: [{ key: "device", value: "st-1" }] },
        readingEvent("st-1", "ok", "", [["t", 99]], [["OUT_OF_RANGE", "t", 99, 45]]),
        readingEvent("st-2", "failed", "HARD_VIOLATION", [["t", -200]], []),
      ],
    };
    const common = { seq: 4, ts: 1_000, profile: "air-quality", version: 1 };
    expect(readingOutcomes(receipt)).toEqual([
      { ...common, device: "st-1", status: "ok", code: "", values: [["t", 99]], findings: [{ code: "OUT_OF_RANGE", metric: "t", value: 99, bound: 45 }] },
      { ...common, device: "st-2", status: "failed", code: "HARD_VIOLATION", values: [["t", -200]], findings: [] },
    ]);
  });
});
