import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { query } from "../../../src/contracts/state.js";
import { generateKeyPair } from "../../../src/crypto/keys.js";
import { AccessErrorCode, hasRole, rolesOf } from "../../../src/contracts/modules/access.js";
import { DeviceErrorCode } from "../../../src/contracts/modules/devices/index.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { DeviceChain, eventAttributes, failedWith, invalidWith, OK } from "../../fixtures/devices.js";

describe("access", () => {
  let c: DeviceChain;

  beforeEach(async () => {
    c = await DeviceChain.start();
  });
  afterEach(async () => {
    await c.close();
  });

  it("genesis roles are in state", async () => {
    expect(await query(c.state, (s) => rolesOf(s, c.t.admin.address))).toEqual(["admin"]);
    expect(await query(c.state, (s) => rolesOf(s, c.t.operator.address))).toEqual(["operator"]);
    expect(await query(c.state, (s) => rolesOf(s, c.t.consumer.address))).toEqual(["consumer"]);
    expect(await query(c.state, (s) => rolesOf(s, c.t.stranger.address))).toEqual([]);
  });

  it("an admin grants a role (role.granted) and the role takes effect: the new operator registers a device", async () => {
    const { stranger, admin } = c.t;
    await c.publishProfile();
    expect((await c.registerDevice({ owner: stranger })).outcome).toMatchObject(failedWith(DeviceErrorCode.UNAUTHORISED));
    const granted = await c.run(admin, "access.grant", [stranger.address, "operator"]);
    expect(granted.events.map((e) => [e.type, eventAttributes(e)])).toEqual([["role.granted", { account: stranger.address, role: "operator", by: admin.address }]]);
    expect(await query(c.state, (s) => hasRole(s, stranger.address, "operator"))).toBe(true);
    expect((await c.registerDevice({ owner: stranger })).outcome).toMatchObject(OK);
  });

  it("an admin revokes a role (role.revoked) and it no longer applies", async () => {
    const { operator, admin } = c.t;
    await c.publishProfile();
    const revoked = await c.run(admin, "access.revoke", [operator.address, "operator"]);
    expect(revoked.events.map((e) => [e.type, eventAttributes(e)])).toEqual([["role.revoked", { account: operator.address, role: "operator", by: admin.address }]]);
    expect(await query(c.state, (s) => rolesOf(s, operator.address))).toEqual([]);
    expect((await c.registerDevice({ owner: operator })).outcome).toMatchObject(failedWith(DeviceErrorCode.UNAUTHORISED));
  });

  it("UNAUTHORISED for anyone but an admin", async () => {
    for (const who of [c.t.operator, c.t.consumer, c.t.stranger]) {
      expect(await c.run(who, "access.grant", [who.address, "admin"])).toMatchObject(failedWith(AccessErrorCode.UNAUTHORISED));
      expect(await c.run(who, "access.revoke", [c.t.admin.address, "admin"])).toMatchObject(failedWith(AccessErrorCode.UNAUTHORISED));
    }
    expect(await query(c.state, (s) => hasRole(s, c.t.admin.address, "admin"))).toBe(true);
  });

  it("ROLE_HELD, ROLE_NOT_HELD; a role may go to an address with no account yet", async () => {
    const fresh = generateKeyPair();
    expect(await c.run(c.t.admin, "access.grant", [c.t.operator.address, "operator"])).toMatchObject(failedWith(AccessErrorCode.ROLE_HELD));
    expect(await c.run(c.t.admin, "access.revoke", [c.t.operator.address, "consumer"])).toMatchObject(failedWith(AccessErrorCode.ROLE_NOT_HELD));
    expect(await c.run(c.t.admin, "access.grant", [fresh.address, "consumer"])).toMatchObject(OK);
    expect(await query(c.state, (s) => rolesOf(s, fresh.address))).toEqual(["consumer"]);
  });

  it("SELF_REVOKE: an admin cannot drop its own admin role, but another admin can", async () => {
    const { admin, stranger } = c.t;
    expect(await c.run(admin, "access.revoke", [admin.address, "admin"])).toMatchObject(failedWith(AccessErrorCode.SELF_REVOKE));
    expect(await c.run(admin, "access.grant", [stranger.address, "admin"])).toMatchObject(OK);
    expect(await c.run(stranger, "access.revoke", [admin.address, "admin"])).toMatchObject(OK);
    expect(await query(c.state, (s) => hasRole(s, admin.address, "admin"))).toBe(false);
  });

  it("MALFORMED: an unknown role, an address of the wrong length, a wrong tuple", async () => {
    for (const args of [[c.t.stranger.address, "root"], [new Uint8Array(21), "operator"], [c.t.stranger.address]]) {
      expect(await c.run(c.t.admin, "access.grant", args)).toMatchObject(invalidWith(TxErrorCode.MALFORMED));
      expect(await c.run(c.t.admin, "access.revoke", args)).toMatchObject(invalidWith(TxErrorCode.MALFORMED));
    }
  });
});
