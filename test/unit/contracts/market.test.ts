import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { query } from "../../../src/contracts/state.js";
import { readAccount } from "../../../src/contracts/index.js";
import {
  licencesOf,
  listOffers,
  MarketErrorCode,
  MAX_TERMS_BYTES,
  readLicence,
  readOffer,
  type Offer,
} from "../../../src/contracts/modules/market/index.js";
import type { Encodable } from "../../../src/ledger/codec.js";
import { TxErrorCode } from "../../../src/ledger/txErrors.js";
import { FUNDED_BALANCE } from "../../fixtures/chain.js";
import { DeviceChain, eventAttributes, type Outcome } from "../../fixtures/devices.js";

const DAY = 86_400;
const U64_MAX = (1n << 64n) - 1n;

const ok = { status: "ok", code: "" } as const;
const failed = (code: string) => ({ status: "failed", code }) as const;
const invalid = (code: string) => ({ status: "invalid", code }) as const;

/** `market.offer [feed, pricePerPeriod, periodSeconds, terms]`. */
const offerArgs = (feed: string, price = 100n, periodSeconds = DAY, terms = "CC-BY-4.0"): Encodable[] => [feed, price, periodSeconds, terms];

describe("market: offers of data feeds, purchases and licences", () => {
  let c: DeviceChain;
  let device: string;

  beforeEach(async () => {
    c = await DeviceChain.start();
    await c.publishProfile();
    ({ id: device } = await c.registerDevice({ id: "station-1", zone: "centre" }));
  });
  afterEach(async () => {
    await c.close();
  });

  /** Offers `feed` as `owner` (the first operator by default) and returns the outcome and the new offer's id. */
  async function makeOffer(feed = `device:${device}`, o: { owner?: typeof c.t.operator; price?: bigint; periodSeconds?: number } = {}) {
    const outcome = await c.run(o.owner ?? c.t.operator, "market.offer", offerArgs(feed, o.price, o.periodSeconds));
    const event = outcome.events.find((e) => e.type === "market.offered");
    return { outcome, id: event === undefined ? 0 : (eventAttributes(event).offerId as number) };
  }
  const buy = (offerId: number, periods: number, o: { buyer?: typeof c.t.consumer; timestamp?: number } = {}): Promise<Outcome> =>
    c.run(o.buyer ?? c.t.consumer, "market.buy", [offerId, periods], o.timestamp !== undefined ? { timestamp: o.timestamp } : {});
  const cancel = (offerId: number, by = c.t.operator): Promise<Outcome> => c.run(by, "market.cancel", [offerId]);

  describe("market.offer", () => {
    it("the owner of a device offers its feed: sequential ids from 1, market.offered, readable", async () => {
      const first = await makeOffer();
      expect(first.outcome).toMatchObject(ok);
      expect(first.id).toBe(1);
      expect(eventAttributes(first.outcome.events[0]!)).toEqual({
        offerId: 1,
        owner: c.t.operator.address,
        feed: "device:station-1",
        pricePerPeriod: 100n,
        periodSeconds: DAY,
      });
      const expected: Offer = { id: 1, owner: c.t.operator.address, feed: "device:station-1", pricePerPeriod: 100n, periodSeconds: DAY, terms: "CC-BY-4.0", open: true };
      expect(await query(c.state, (s) => readOffer(s, 1))).toEqual(expected);
      expect((await makeOffer(`device:${device}`, { price: 7n })).id).toBe(2);
    });

    it("a suspended device's feed may be offered (only revoked ones may not)", async () => {
      expect(await c.run(c.t.operator, "devices.suspend", [device, "maintenance"])).toMatchObject(ok);
      expect((await makeOffer()).outcome).toMatchObject(ok);
    });

    it("an operator offers a zone's feed", async () => {
      const { outcome, id } = await makeOffer("zone:centre");
      expect(outcome).toMatchObject(ok);
      expect((await query(c.state, (s) => readOffer(s, id)))?.feed).toBe("zone:centre");
    });

    it("DEVICE_UNKNOWN for a device that is not registered", async () => {
      expect((await makeOffer("device:nowhere")).outcome).toMatchObject(failed(MarketErrorCode.DEVICE_UNKNOWN));
    });

    it("NOT_OWNER for another owner's device", async () => {
      expect((await makeOffer(`device:${device}`, { owner: c.t.operator2 })).outcome).toMatchObject(failed(MarketErrorCode.NOT_OWNER));
    });

    it("DEVICE_REVOKED for a revoked device", async () => {
      expect(await c.run(c.t.operator, "devices.revoke", [device, "stolen"])).toMatchObject(ok);
      expect((await makeOffer()).outcome).toMatchObject(failed(MarketErrorCode.DEVICE_REVOKED));
    });

    it("UNAUTHORISED: a zone's feed only by an operator", async () => {
      expect((await makeOffer("zone:centre", { owner: c.t.consumer })).outcome).toMatchObject(failed(MarketErrorCode.UNAUTHORISED));
      expect((await makeOffer("zone:centre", { owner: c.t.stranger })).outcome).toMatchObject(failed(MarketErrorCode.UNAUTHORISED));
    });

    it("INVALID_ARGUMENT for a period of zero seconds", async () => {
      expect((await makeOffer(`device:${device}`, { periodSeconds: 0 })).outcome).toMatchObject(failed(MarketErrorCode.INVALID_ARGUMENT));
    });

    it("a failed offer takes no id", async () => {
      await makeOffer("device:nowhere");
      expect((await makeOffer()).id).toBe(1);
    });

    it.each([
      ["an unknown feed kind", offerArgs("city:centre")],
      ["an empty device id", offerArgs("device:")],
      ["a device id out of [a-z0-9._:-]", offerArgs("device:Station")],
      ["a zone over 64 characters", offerArgs(`zone:${"z".repeat(65)}`)],
      ["terms over 1 KiB of UTF-8", offerArgs(`device:station-1`, 1n, DAY, "é".repeat(MAX_TERMS_BYTES / 2 + 1))],
      ["a price that is not a u64 bigint", offerArgs(`device:station-1`, 1 as unknown as bigint)],
      ["a missing field", ["device:station-1", 1n, DAY]],
    ])("MALFORMED: %s", async (_what, args) => {
      expect(await c.run(c.t.operator, "market.offer", args)).toMatchObject(invalid(TxErrorCode.MALFORMED));
    });

    it("terms of exactly 1 KiB of UTF-8 are accepted", async () => {
      const outcome = await c.run(c.t.operator, "market.offer", offerArgs(`device:${device}`, 1n, DAY, "é".repeat(MAX_TERMS_BYTES / 2)));
      expect(outcome).toMatchObject(ok);
    });
  });

  describe("market.buy", () => {
    it("moves the price of the periods to the owner and creates a licence until block time + periods × period", async () => {
      const { id } = await makeOffer(`device:${device}`, { price: 250n });
      const owner = (await query(c.state, (s) => readAccount(s, c.t.operator.address)))!.balance;
      const outcome = await buy(id, 3);
      expect(outcome).toMatchObject(ok);
      const expiresAt = c.time + 3 * DAY * 1000;
      expect(eventAttributes(outcome.events[0]!)).toEqual({
        offerId: id,
        buyer: c.t.consumer.address,
        feed: "device:station-1",
        periods: 3,
        amount: 750n,
        expiresAt,
      });
      expect((await query(c.state, (s) => readAccount(s, c.t.consumer.address)))!.balance).toBe(FUNDED_BALANCE - 750n - outcome.fee);
      expect((await query(c.state, (s) => readAccount(s, c.t.operator.address)))!.balance).toBe(owner + 750n);
      expect(await query(c.state, (s) => readLicence(s, c.t.consumer.address, "device:station-1"))).toEqual({ buyer: c.t.consumer.address, feed: "device:station-1", expiresAt });
    });

    it("extends a running licence from its end, and a lapsed one from block time", async () => {
      const { id } = await makeOffer(`device:${device}`, { periodSeconds: 60 });
      await buy(id, 2);
      const end = c.time + 120_000;
      await buy(id, 1); // one block period later, still running
      expect((await query(c.state, (s) => readLicence(s, c.t.consumer.address, "device:station-1")))?.expiresAt).toBe(end + 60_000);
      const later = end + 3_600_000;
      await buy(id, 1, { timestamp: later }); // lapsed
      expect((await query(c.state, (s) => readLicence(s, c.t.consumer.address, "device:station-1")))?.expiresAt).toBe(later + 60_000);
    });

    it("UNAUTHORISED without the consumer role", async () => {
      const { id } = await makeOffer();
      expect(await buy(id, 1, { buyer: c.t.stranger })).toMatchObject(failed(MarketErrorCode.UNAUTHORISED));
      expect(await buy(id, 1, { buyer: c.t.operator2 })).toMatchObject(failed(MarketErrorCode.UNAUTHORISED));
    });

    it("OFFER_UNKNOWN for an id never given", async () => {
      await makeOffer();
      expect(await buy(2, 1)).toMatchObject(failed(MarketErrorCode.OFFER_UNKNOWN));
      expect(await buy(0, 1)).toMatchObject(failed(MarketErrorCode.OFFER_UNKNOWN));
    });

    it("INSUFFICIENT_FUNDS when the buyer cannot pay the periods, and nothing is written", async () => {
      const { id } = await makeOffer(`device:${device}`, { price: FUNDED_BALANCE / 2n });
      const outcome = await buy(id, 2);
      expect(outcome).toMatchObject(failed(MarketErrorCode.INSUFFICIENT_FUNDS));
      expect(outcome.events).toEqual([]);
      expect(await query(c.state, (s) => readLicence(s, c.t.consumer.address, "device:station-1"))).toBeUndefined();
      expect(await query(c.state, (s) => licencesOf(s, c.t.consumer.address))).toEqual([]);
    });

    it("INVALID_ARGUMENT for zero periods, a price past u64 or a licence end past the safe range", async () => {
      const { id } = await makeOffer(`device:${device}`, { price: U64_MAX / 2n + 1n });
      expect(await buy(id, 0)).toMatchObject(failed(MarketErrorCode.INVALID_ARGUMENT));
      expect(await buy(id, 2)).toMatchObject(failed(MarketErrorCode.INVALID_ARGUMENT));
      const long = await makeOffer(`device:${device}`, { price: 0n, periodSeconds: 2 ** 40 });
      expect(await buy(long.id, 2 ** 20)).toMatchObject(failed(MarketErrorCode.INVALID_ARGUMENT));
    });

    it("MALFORMED arguments", async () => {
      expect(await c.run(c.t.consumer, "market.buy", [1, -1])).toMatchObject(invalid(TxErrorCode.MALFORMED));
      expect(await c.run(c.t.consumer, "market.buy", [1n, 1])).toMatchObject(invalid(TxErrorCode.MALFORMED));
      expect(await c.run(c.t.consumer, "market.buy", [1])).toMatchObject(invalid(TxErrorCode.MALFORMED));
    });

    it("FEED_UNAVAILABLE once the device is revoked or has another owner", async () => {
      const { id } = await makeOffer();
      const other = await c.registerDevice({ id: "station-2" });
      const second = await makeOffer(`device:${other.id}`);
      expect(await c.run(c.t.operator, "devices.revoke", [device, "stolen"])).toMatchObject(ok);
      expect(await buy(id, 1)).toMatchObject(failed(MarketErrorCode.FEED_UNAVAILABLE));
      expect(await c.run(c.t.operator, "devices.transfer", [other.id, c.t.operator2.address])).toMatchObject(ok);
      expect(await buy(second.id, 1)).toMatchObject(failed(MarketErrorCode.FEED_UNAVAILABLE));
    });

    it("FEED_UNAVAILABLE for a zone feed once its owner is no longer an operator", async () => {
      const { id } = await makeOffer("zone:centre");
      expect(await buy(id, 1)).toMatchObject(ok);
      expect(await c.run(c.t.admin, "access.revoke", [c.t.operator.address, "operator"])).toMatchObject(ok);
      expect(await buy(id, 1)).toMatchObject(failed(MarketErrorCode.FEED_UNAVAILABLE));
    });

    it("a free feed (price 0) licences without moving funds", async () => {
      const { id } = await makeOffer(`device:${device}`, { price: 0n });
      const outcome = await buy(id, 5);
      expect(outcome).toMatchObject(ok);
      expect((await query(c.state, (s) => readAccount(s, c.t.consumer.address)))!.balance).toBe(FUNDED_BALANCE - outcome.fee);
    });
  });

  describe("market.cancel", () => {
    it("closes the offer: no new purchases, licences bought stay", async () => {
      const { id } = await makeOffer();
      await buy(id, 1);
      const licence = await query(c.state, (s) => readLicence(s, c.t.consumer.address, "device:station-1"));
      const outcome = await cancel(id);
      expect(outcome).toMatchObject(ok);
      expect(eventAttributes(outcome.events[0]!)).toEqual({ offerId: id, owner: c.t.operator.address });
      expect((await query(c.state, (s) => readOffer(s, id)))?.open).toBe(false);
      expect(await buy(id, 1)).toMatchObject(failed(MarketErrorCode.OFFER_CLOSED));
      expect(await query(c.state, (s) => readLicence(s, c.t.consumer.address, "device:station-1"))).toEqual(licence);
    });

    it("NOT_OWNER for anyone but the offer's owner", async () => {
      const { id } = await makeOffer();
      expect(await cancel(id, c.t.operator2)).toMatchObject(failed(MarketErrorCode.NOT_OWNER));
      expect(await cancel(id, c.t.admin)).toMatchObject(failed(MarketErrorCode.NOT_OWNER));
      expect((await query(c.state, (s) => readOffer(s, id)))?.open).toBe(true);
    });

    it("OFFER_UNKNOWN and OFFER_CLOSED", async () => {
      const { id } = await makeOffer();
      expect(await cancel(id + 1)).toMatchObject(failed(MarketErrorCode.OFFER_UNKNOWN));
      expect(await cancel(id)).toMatchObject(ok);
      expect(await cancel(id)).toMatchObject(failed(MarketErrorCode.OFFER_CLOSED));
    });
  });

  describe("read API", () => {
    it("listOffers pages by id (cancelled offers included); readOffer of an unknown id is undefined", async () => {
      for (let i = 0; i < 5; i++) await makeOffer(`device:${device}`, { price: BigInt(i) });
      await cancel(2);
      expect((await query(c.state, listOffers)).map((o) => [o.id, o.pricePerPeriod, o.open])).toEqual([
        [1, 0n, true],
        [2, 1n, false],
        [3, 2n, true],
        [4, 3n, true],
        [5, 4n, true],
      ]);
      expect((await query(c.state, (s) => listOffers(s, { from: 2, limit: 2 }))).map((o) => o.id)).toEqual([2, 3]);
      expect((await query(c.state, (s) => listOffers(s, { from: 5, limit: 10 }))).map((o) => o.id)).toEqual([5]);
      expect(await query(c.state, (s) => listOffers(s, { from: 6 }))).toEqual([]);
      expect(await query(c.state, (s) => listOffers(s, { limit: 0 }))).toEqual([]);
      expect(await query(c.state, (s) => readOffer(s, 6))).toBeUndefined();
      await expect(query(c.state, (s) => listOffers(s, { limit: -1 }))).rejects.toBeInstanceOf(RangeError);
    });

    it("licencesOf lists a buyer's licences sorted by feed, one per feed", async () => {
      await c.registerDevice({ id: "alpha" });
      const a = await makeOffer("device:alpha");
      const zone = await makeOffer("zone:centre");
      const station = await makeOffer(`device:${device}`);
      for (const id of [zone.id, station.id, a.id, station.id]) expect(await buy(id, 1)).toMatchObject(ok);
      const licences = await query(c.state, (s) => licencesOf(s, c.t.consumer.address));
      expect(licences.map((l) => l.feed)).toEqual(["device:alpha", "device:station-1", "zone:centre"]);
      expect(licences.map((l) => l.buyer)).toEqual([c.t.consumer.address, c.t.consumer.address, c.t.consumer.address]);
      expect(await query(c.state, (s) => licencesOf(s, c.t.stranger.address))).toEqual([]);
      expect(await query(c.state, (s) => readLicence(s, c.t.stranger.address, "zone:centre"))).toBeUndefined();
    });
  });
});
