import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { query } from "../../../src/contracts/state.js";
import { generateKeyPair, type KeyPair } from "../../../src/crypto/keys.js";
import { KEY_TYPES } from "../../../src/crypto/keyTypes.js";
import { verifySignature } from "../../../src/crypto/verify.js";
import { defineMethod, readAccount, type ContractModule } from "../../../src/contracts/index.js";
import {
  DeviceErrorCode,
  deviceIdOfAddress,
  deviceSigner,
  readDevice,
  suspendDevice,
  writeDevice,
} from "../../../src/contracts/modules/devices/index.js";
import { ZERO_COUNTERS } from "../../../src/contracts/modules/accounts.js";
import { TupleReader } from "../../../src/ledger/tuple.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { FUNDED_BALANCE } from "../../fixtures/chain.js";
import { DeviceChain, eventAttributes, failedWith, invalidWith, OK, registerArgs, type Outcome } from "../../fixtures/devices.js";

/** Test-only methods signed by a device: `ping` does nothing; `trip` adds the block time to the anomaly window and suspends by policy. */
const probeModule: ContractModule = {
  name: "probe",
  methods: {
    ping: defineMethod<null>({
      decodeArgs: (args) => (new TupleReader(args, "args", 0), null),
      execute: () => undefined,
      signer: deviceSigner,
    }),
    trip: defineMethod<null>({
      decodeArgs: (args) => (new TupleReader(args, "args", 0), null),
      execute(ctx) {
        const id = deviceIdOfAddress(ctx.state, ctx.sender)!;
        const record = readDevice(ctx.state, id)!;
        writeDevice(ctx.state, { ...record, anomalyWindow: [...record.anomalyWindow, ctx.env.timestamp] });
        suspendDevice(ctx, id, "policy");
      },
      signer: deviceSigner,
    }),
  },
};

describe("devices", () => {
  let c: DeviceChain;
  let operator: KeyPair;
  let operator2: KeyPair;
  let admin: KeyPair;

  beforeEach(async () => {
    c = await DeviceChain.start({ modules: [probeModule] });
    ({ operator, operator2, admin } = c.t);
    expect(await c.publishProfile()).toMatchObject(OK);
  });
  afterEach(async () => {
    await c.close();
  });

  const send = (key: KeyPair, kind: string, args: unknown[]): Promise<Outcome> => c.run(key, kind, args as never);

  describe("register", () => {
    it("an operator registers a device: it owns it, active, nonce 0, empty window, zero counters; device.registered", async () => {
      const key = generateKeyPair("p256");
      const { id, outcome } = await c.registerDevice({ id: "station-1", key, zone: "centre", meta: "roof of the town hall" });
      expect(outcome).toMatchObject(OK);
      expect(await c.device(id)).toEqual({
        id: "station-1",
        keyType: "p256",
        publicKey: key.publicKey,
        owner: operator.address,
        kind: "sensor",
        profileId: "air-quality",
        bridge: null,
        zone: "centre",
        meta: "roof of the town hall",
        status: "active",
        nonce: 0,
        registeredAt: c.height,
        anomalyWindow: [],
        counters: ZERO_COUNTERS,
      });
      expect(outcome.events.map((e) => e.type)).toEqual(["device.registered"]);
      expect(eventAttributes(outcome.events[0]!)).toMatchObject({ device: id, owner: operator.address, keyType: "p256", kind: "sensor", profile: "air-quality" });
      expect(await query(c.state, (s) => deviceIdOfAddress(s, key.address))).toBe(id);
    });

    it("UNAUTHORISED without the operator role (admin, consumer, no role)", async () => {
      for (const who of [admin, c.t.consumer, c.t.stranger]) {
        expect((await c.registerDevice({ owner: who })).outcome).toMatchObject(failedWith(DeviceErrorCode.UNAUTHORISED));
      }
    });

    it("MALFORMED arguments never enter a block", async () => {
      const key = generateKeyPair("secp256k1");
      const good = registerArgs({ id: "d1", key });
      const cases: unknown[][] = [
        ["D1", ...good.slice(1)],
        ["", ...good.slice(1)],
        ["a".repeat(65), ...good.slice(1)],
        ["d 1", ...good.slice(1)],
        ["d1", "rsa", ...good.slice(2)],
        ["d1", "ed25519", ...good.slice(2)], // a 33-byte key for Ed25519
        ["d1", "secp256k1", Uint8Array.of(0x04, ...key.publicKey.subarray(1)), ...good.slice(3)],
        [...good.slice(0, 3), "Air", ...good.slice(4)],
        [...good.slice(0, 4), "actuator", ...good.slice(5)],
        [...good.slice(0, 4), "bridge", "b1", null, null],
        [...good.slice(0, 6), "Zone A", null],
        [...good.slice(0, 7), "m".repeat(257)],
        good.slice(0, 7),
      ];
      for (const args of cases) expect(await send(operator, "devices.register", args)).toMatchObject(invalidWith(TxErrorCode.MALFORMED));
      expect(await send(operator, "devices.register", [...good.slice(0, 7), "m".repeat(256)])).toMatchObject(OK);
    });

    it("PROFILE_UNKNOWN for a profile never published", async () => {
      expect((await c.registerDevice({ profileId: "nope" })).outcome).toMatchObject(failedWith(DeviceErrorCode.PROFILE_UNKNOWN));
    });

    it("DEVICE_EXISTS for a registered id, ID_RETIRED once it is revoked", async () => {
      await c.registerDevice({ id: "d1" });
      expect((await c.registerDevice({ id: "d1" })).outcome).toMatchObject(failedWith(DeviceErrorCode.DEVICE_EXISTS));
      expect((await c.registerDevice({ id: "d1", owner: operator2 })).outcome).toMatchObject(failedWith(DeviceErrorCode.DEVICE_EXISTS));
      expect(await send(operator, "devices.revoke", ["d1", "stolen"])).toMatchObject(OK);
      expect((await c.registerDevice({ id: "d1" })).outcome).toMatchObject(failedWith(DeviceErrorCode.ID_RETIRED));
    });

    it("KEY_IN_USE for the key of a device; KEY_RETIRED for a rotated-out key and the key of a revoked device", async () => {
      const { key } = await c.registerDevice({ id: "d1" });
      expect((await c.registerDevice({ id: "d2", key })).outcome).toMatchObject(failedWith(DeviceErrorCode.KEY_IN_USE));
      const next = generateKeyPair();
      expect(await send(operator, "devices.rotateKey", ["d1", next.publicKey])).toMatchObject(OK);
      expect((await c.registerDevice({ id: "d2", key })).outcome).toMatchObject(failedWith(DeviceErrorCode.KEY_RETIRED));
      expect(await send(operator, "devices.revoke", ["d1", ""])).toMatchObject(OK);
      expect((await c.registerDevice({ id: "d2", key: next })).outcome).toMatchObject(failedWith(DeviceErrorCode.KEY_RETIRED));
    });

    it("a sensor behind a bridge: the bridge must exist, be a bridge, have the same owner and be active", async () => {
      await c.registerDevice({ id: "br", kind: "bridge" });
      await c.registerDevice({ id: "s0" });
      await c.registerDevice({ id: "br2", kind: "bridge", owner: operator2 });
      expect((await c.registerDevice({ bridge: "none" })).outcome).toMatchObject(failedWith(DeviceErrorCode.BRIDGE_UNKNOWN));
      expect((await c.registerDevice({ bridge: "s0" })).outcome).toMatchObject(failedWith(DeviceErrorCode.NOT_A_BRIDGE));
      expect((await c.registerDevice({ bridge: "br2" })).outcome).toMatchObject(failedWith(DeviceErrorCode.BRIDGE_NOT_OWNED));
      const { id, outcome } = await c.registerDevice({ bridge: "br" });
      expect(outcome).toMatchObject(OK);
      expect((await c.device(id))?.bridge).toBe("br");
      expect(await send(operator, "devices.suspend", ["br", "maintenance"])).toMatchObject(OK);
      expect((await c.registerDevice({ bridge: "br" })).outcome).toMatchObject(failedWith(DeviceErrorCode.BRIDGE_INACTIVE));
    });
  });

  describe("bind", () => {
    beforeEach(async () => {
      await c.registerDevice({ id: "br1", kind: "bridge" });
      await c.registerDevice({ id: "br2", kind: "bridge" });
      await c.registerDevice({ id: "s1" });
    });

    it("the owner binds a sensor, rebinds it and unbinds it (null); device.bound", async () => {
      const bound = await send(operator, "devices.bind", ["s1", "br1"]);
      expect(bound).toMatchObject(OK);
      expect(bound.events.map((e) => [e.type, eventAttributes(e)])).toEqual([["device.bound", { device: "s1", bridge: "br1", previous: null }]]);
      expect(await send(operator, "devices.bind", ["s1", "br2"])).toMatchObject(OK);
      expect((await c.device("s1"))?.bridge).toBe("br2");
      expect(await send(operator, "devices.bind", ["s1", null])).toMatchObject(OK);
      expect((await c.device("s1"))?.bridge).toBeNull();
    });

    it("NOT_OWNER for anyone else, admins included", async () => {
      for (const who of [operator2, admin]) expect(await send(who, "devices.bind", ["s1", "br1"])).toMatchObject(failedWith(DeviceErrorCode.NOT_OWNER));
    });

    it("WRONG_KIND for a bridge; bridge rules as at registration; DEVICE_UNKNOWN", async () => {
      expect(await send(operator, "devices.bind", ["br1", "br2"])).toMatchObject(failedWith(DeviceErrorCode.WRONG_KIND));
      expect(await send(operator, "devices.bind", ["s1", "nope"])).toMatchObject(failedWith(DeviceErrorCode.BRIDGE_UNKNOWN));
      await c.registerDevice({ id: "s2" });
      expect(await send(operator, "devices.bind", ["s1", "s2"])).toMatchObject(failedWith(DeviceErrorCode.NOT_A_BRIDGE));
      await c.registerDevice({ id: "other", kind: "bridge", owner: operator2 });
      expect(await send(operator, "devices.bind", ["s1", "other"])).toMatchObject(failedWith(DeviceErrorCode.BRIDGE_NOT_OWNED));
      expect(await send(operator, "devices.revoke", ["br2", ""])).toMatchObject(OK);
      expect(await send(operator, "devices.bind", ["s1", "br2"])).toMatchObject(failedWith(DeviceErrorCode.BRIDGE_INACTIVE));
      expect(await send(operator, "devices.bind", ["ghost", "br1"])).toMatchObject(failedWith(DeviceErrorCode.DEVICE_UNKNOWN));
      expect(await send(operator, "devices.bind", ["s1", "BR1"])).toMatchObject(invalidWith(TxErrorCode.MALFORMED));
    });
  });

  describe("rotateKey", () => {
    it("the owner rotates to a fresh key of the same type: the old key is retired, device.keyRotated", async () => {
      const { id, key } = await c.registerDevice({ keyType: "ed25519" });
      const next = generateKeyPair("ed25519");
      const rotated = await send(operator, "devices.rotateKey", [id, next.publicKey]);
      expect(rotated).toMatchObject(OK);
      expect(eventAttributes(rotated.events[0]!)).toEqual({ device: id, publicKey: next.publicKey, previous: key.publicKey });
      expect((await c.device(id))?.publicKey).toEqual(next.publicKey);
      expect(await query(c.state, (s) => deviceIdOfAddress(s, next.address))).toBe(id);
      expect(await query(c.state, (s) => deviceIdOfAddress(s, key.address))).toBeUndefined();
      expect(await send(operator, "devices.rotateKey", [id, key.publicKey])).toMatchObject(failedWith(DeviceErrorCode.KEY_RETIRED));
    });

    it("INVALID_ARGUMENT for a key of another type; KEY_IN_USE for a device's key; NOT_OWNER for others", async () => {
      const { id, key } = await c.registerDevice({ keyType: "p256" });
      const other = await c.registerDevice({ keyType: "p256" });
      expect(await send(operator, "devices.rotateKey", [id, generateKeyPair("ed25519").publicKey])).toMatchObject(failedWith(DeviceErrorCode.INVALID_ARGUMENT));
      expect(await send(operator, "devices.rotateKey", [id, key.publicKey])).toMatchObject(failedWith(DeviceErrorCode.KEY_IN_USE));
      expect(await send(operator, "devices.rotateKey", [id, other.key.publicKey])).toMatchObject(failedWith(DeviceErrorCode.KEY_IN_USE));
      for (const who of [operator2, admin]) {
        expect(await send(who, "devices.rotateKey", [id, generateKeyPair("p256").publicKey])).toMatchObject(failedWith(DeviceErrorCode.NOT_OWNER));
      }
      expect(await send(operator, "devices.rotateKey", [id, new Uint8Array(20)])).toMatchObject(invalidWith(TxErrorCode.MALFORMED));
    });

    it("a suspended device may rotate its key", async () => {
      const { id } = await c.registerDevice();
      expect(await send(operator, "devices.suspend", [id, "key leaked"])).toMatchObject(OK);
      expect(await send(operator, "devices.rotateKey", [id, generateKeyPair().publicKey])).toMatchObject(OK);
    });
  });

  describe("suspend, reinstate, revoke", () => {
    it("the owner suspends an active device and reinstates it; device.suspended and device.reinstated name who did it", async () => {
      const { id } = await c.registerDevice();
      const suspended = await send(operator, "devices.suspend", [id, "odd values"]);
      expect(suspended).toMatchObject(OK);
      expect(eventAttributes(suspended.events[0]!)).toEqual({ device: id, reason: "odd values", by: operator.address });
      expect((await c.device(id))?.status).toBe("suspended");
      const reinstated = await send(operator, "devices.reinstate", [id]);
      expect(reinstated.events.map((e) => [e.type, eventAttributes(e)])).toEqual([["device.reinstated", { device: id, by: operator.address }]]);
      expect((await c.device(id))?.status).toBe("active");
    });

    it("an admin may suspend, reinstate and revoke any device; anyone else gets NOT_OWNER", async () => {
      const { id } = await c.registerDevice();
      for (const [method, args] of [["devices.suspend", [id, ""]], ["devices.reinstate", [id]], ["devices.revoke", [id, ""]]] as const) {
        expect(await send(operator2, method, [...args])).toMatchObject(failedWith(DeviceErrorCode.NOT_OWNER));
        expect(await send(c.t.stranger, method, [...args])).toMatchObject(failedWith(DeviceErrorCode.NOT_OWNER));
        expect(await send(admin, method, [...args])).toMatchObject(OK);
      }
      expect((await c.device(id))?.status).toBe("revoked");
    });

    it("WRONG_STATUS: suspend only an active device, reinstate only a suspended one", async () => {
      const { id } = await c.registerDevice();
      expect(await send(operator, "devices.reinstate", [id])).toMatchObject(failedWith(DeviceErrorCode.WRONG_STATUS));
      expect(await send(operator, "devices.suspend", [id, ""])).toMatchObject(OK);
      expect(await send(operator, "devices.suspend", [id, ""])).toMatchObject(failedWith(DeviceErrorCode.WRONG_STATUS));
    });

    it("a policy suspension (suspendDevice) emits by null; reinstating clears the anomaly window", async () => {
      const { id, key } = await c.registerDevice();
      const trip = await c.run(key, "probe.trip", []);
      expect(trip).toMatchObject(OK);
      expect(trip.events.map((e) => [e.type, eventAttributes(e)])).toEqual([["device.suspended", { device: id, reason: "policy", by: null }]]);
      const record = await c.device(id);
      expect([record?.status, record?.anomalyWindow]).toEqual(["suspended", [c.time]]);
      // Once suspended, suspendDevice leaves the device as it is and emits nothing.
      const again = await c.run(key, "probe.trip", []);
      expect([again.status, again.events]).toEqual(["ok", []]);
      expect((await c.device(id))?.anomalyWindow).toHaveLength(2);
      expect(await send(operator, "devices.reinstate", [id])).toMatchObject(OK);
      expect(await c.device(id)).toMatchObject({ status: "active", anomalyWindow: [] });
    });

    it("revoke is permanent: a revoked device can do nothing and no method applies to it (DEVICE_REVOKED)", async () => {
      await c.registerDevice({ id: "br", kind: "bridge" });
      const { id, key } = await c.registerDevice({ bridge: "br" });
      const revoked = await send(operator, "devices.revoke", [id, "tampered"]);
      expect(eventAttributes(revoked.events[0]!)).toEqual({ device: id, reason: "tampered", by: operator.address });
      const calls: [KeyPair, string, unknown[]][] = [
        [operator, "devices.bind", [id, "br"]],
        [operator, "devices.rotateKey", [id, generateKeyPair().publicKey]],
        [operator, "devices.suspend", [id, ""]],
        [admin, "devices.reinstate", [id]],
        [admin, "devices.revoke", [id, ""]],
        [operator, "devices.transfer", [id, operator2.address]],
        [operator, "profiles.assign", [id, "air-quality"]],
      ];
      for (const [who, method, args] of calls) expect(await send(who, method, args)).toMatchObject(failedWith(DeviceErrorCode.DEVICE_REVOKED));
      expect(await c.run(key, "probe.ping", [])).toMatchObject(invalidWith(TxErrorCode.DEVICE_REVOKED));
      // No longer counted on its bridge, so the bridge can change hands.
      expect(await send(operator, "devices.transfer", ["br", operator2.address])).toMatchObject(OK);
    });
  });

  describe("transfer", () => {
    it("the owner hands a device to another operator, who then manages it; device.transferred", async () => {
      const { id } = await c.registerDevice();
      const moved = await send(operator, "devices.transfer", [id, operator2.address]);
      expect(eventAttributes(moved.events[0]!)).toEqual({ device: id, from: operator.address, to: operator2.address });
      expect((await c.device(id))?.owner).toEqual(operator2.address);
      expect(await send(operator, "devices.suspend", [id, ""])).toMatchObject(failedWith(DeviceErrorCode.NOT_OWNER));
      expect(await send(operator2, "devices.suspend", [id, ""])).toMatchObject(OK);
    });

    it("NOT_OPERATOR for a new owner without the role; INVALID_ARGUMENT to the owner itself; NOT_OWNER for others, admins included", async () => {
      const { id } = await c.registerDevice();
      expect(await send(operator, "devices.transfer", [id, c.t.consumer.address])).toMatchObject(failedWith(DeviceErrorCode.NOT_OPERATOR));
      expect(await send(operator, "devices.transfer", [id, operator.address])).toMatchObject(failedWith(DeviceErrorCode.INVALID_ARGUMENT));
      expect(await send(admin, "devices.transfer", [id, operator2.address])).toMatchObject(failedWith(DeviceErrorCode.NOT_OWNER));
      expect(await send(operator, "devices.transfer", [id, new Uint8Array(19)])).toMatchObject(invalidWith(TxErrorCode.MALFORMED));
    });

    it("a transferred sensor leaves its bridge; a bridge with sensors bound is BRIDGE_IN_USE", async () => {
      await c.registerDevice({ id: "br", kind: "bridge" });
      await c.registerDevice({ id: "s1", bridge: "br" });
      await c.registerDevice({ id: "s2", bridge: "br" });
      expect(await send(operator, "devices.transfer", ["br", operator2.address])).toMatchObject(failedWith(DeviceErrorCode.BRIDGE_IN_USE));
      expect(await send(operator, "devices.transfer", ["s1", operator2.address])).toMatchObject(OK);
      expect((await c.device("s1"))?.bridge).toBeNull();
      expect(await send(operator, "devices.bind", ["s2", null])).toMatchObject(OK);
      expect(await send(operator, "devices.transfer", ["br", operator2.address])).toMatchObject(OK);
    });
  });

  describe("device signer", () => {
    it.each(KEY_TYPES)("a %s device signs its own transactions: its nonce, its counters, its owner pays", async (keyType) => {
      const { id, key } = await c.registerDevice({ keyType });
      const before = (await query(c.state, (s) => readAccount(s, operator.address)))!;
      const txs = [await c.tx(key, "probe.ping", []), await c.tx(key, "probe.ping", [])];
      for (const tx of txs) expect(verifySignature(tx.keyType, tx.publicKey, tx.signature, tx.payload)).toBe(true);
      expect(txs.map((tx) => tx.nonce)).toEqual([0, 1]);
      expect(await c.outcomes(txs)).toMatchObject([OK, OK]);
      const fees = txs[0]!.fee + txs[1]!.fee;
      expect(await c.device(id)).toMatchObject({ nonce: 2, counters: { txs: 2, readings: 0, anomalies: 0, feesPaid: fees } });
      expect(await query(c.state, (s) => readAccount(s, operator.address))).toEqual({
        balance: before.balance - fees,
        nonce: before.nonce,
        counters: { ...before.counters, feesPaid: before.counters.feesPaid + fees },
      });
    });

    it("DEVICE_UNKNOWN for a key no device has (nor has any longer); the rotated-in key carries on the nonce", async () => {
      expect(await c.run(generateKeyPair(), "probe.ping", [])).toMatchObject(invalidWith(TxErrorCode.DEVICE_UNKNOWN));
      const { id, key } = await c.registerDevice();
      expect(await c.run(key, "probe.ping", [])).toMatchObject(OK);
      const next = generateKeyPair();
      expect(await send(operator, "devices.rotateKey", [id, next.publicKey])).toMatchObject(OK);
      expect(await c.run(key, "probe.ping", [], { nonce: 1 })).toMatchObject(invalidWith(TxErrorCode.DEVICE_UNKNOWN));
      expect(await c.run(next, "probe.ping", [], { nonce: 0 })).toMatchObject(invalidWith(TxErrorCode.NONCE_TOO_LOW));
      expect(await c.run(next, "probe.ping", [], { nonce: 2 })).toMatchObject(invalidWith(TxErrorCode.NONCE_TOO_HIGH));
      expect(await c.run(next, "probe.ping", [], { nonce: 1 })).toMatchObject(OK);
    });

    it("a suspended device still signs (its methods decide what it may do)", async () => {
      const { id, key } = await c.registerDevice();
      expect(await send(operator, "devices.suspend", [id, ""])).toMatchObject(OK);
      expect(await c.run(key, "probe.ping", [])).toMatchObject(OK);
    });

    it("INSUFFICIENT_FUNDS when the owner cannot pay (an owner without an account pays from a balance of 0)", async () => {
      const poor = generateKeyPair();
      expect(await send(admin, "access.grant", [poor.address, "operator"])).toMatchObject(OK);
      const { id, key } = await c.registerDevice();
      expect(await send(operator, "devices.transfer", [id, poor.address])).toMatchObject(OK);
      expect(await query(c.state, (s) => readAccount(s, poor.address))).toBeUndefined();
      expect(await c.run(key, "probe.ping", [])).toMatchObject(invalidWith(TxErrorCode.INSUFFICIENT_FUNDS));
      expect(await c.run(key, "probe.ping", [], { fee: FUNDED_BALANCE })).toMatchObject(invalidWith(TxErrorCode.INSUFFICIENT_FUNDS));
    });
  });
});
