import { equalBytes, utf8 } from "../../../crypto/bytes.js";
import { AttestaError } from "../../../errors.js";
import { CodecErrorCode, type Encodable } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { defineMethod, type CallContext } from "../../runtime.js";
import type { StateView } from "../../state.js";
import { hasRole } from "../access.js";
import { credit, debit } from "../accounts.js";
import { ZONE_RE } from "../devices/methods.js";
import { DEVICE_ID_RE, readDevice } from "../devices/state.js";
import { MarketErrorCode } from "./errors.js";
import { addOffer, MAX_FEED_LENGTH, MAX_TERMS_BYTES, readLicence, readOffer, writeLicence, writeOffer, type Offer } from "./state.js";

const U64_MAX = (1n << 64n) - 1n;

function fail(code: MarketErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AttestaError(code, message, details);
}

function malformed(field: string, expected: string): never {
  throw new AttestaError(CodecErrorCode.MALFORMED, `args.${field}: expected ${expected}`, { field: `args.${field}` });
}

/** A feed name, split: `device:<device id>` or `zone:<zone>`. */
export type Feed = { readonly kind: "device"; readonly id: string } | { readonly kind: "zone"; readonly zone: string };

export function parseFeed(feed: string): Feed | undefined {
  if (feed.startsWith("device:") && DEVICE_ID_RE.test(feed.slice(7))) return { kind: "device", id: feed.slice(7) };
  if (feed.startsWith("zone:") && ZONE_RE.test(feed.slice(5))) return { kind: "zone", zone: feed.slice(5) };
  return undefined;
}

export interface OfferArgs {
  readonly feed: string;
  readonly pricePerPeriod: bigint;
  readonly periodSeconds: number;
  readonly terms: string;
}

/**
 * Why `owner` cannot sell `feed` now, or undefined if it can. A device feed: the owner's own
 * device, not revoked (a suspended one may be sold). A zone feed: the devices module keeps
 * no per-zone index of owners, so an operator (who registers and runs devices) may offer the
 * feed of a zone, and the zone is recorded in the feed name.
 */
function feedProblem(state: StateView, owner: Uint8Array, feed: Feed): MarketErrorCode | undefined {
  if (feed.kind === "zone") return hasRole(state, owner, "operator") ? undefined : MarketErrorCode.UNAUTHORISED;
  const device = readDevice(state, feed.id);
  if (device === undefined) return MarketErrorCode.DEVICE_UNKNOWN;
  if (!equalBytes(device.owner, owner)) return MarketErrorCode.NOT_OWNER;
  if (device.status === "revoked") return MarketErrorCode.DEVICE_REVOKED;
  return undefined;
}

/** `market.offer [feed, pricePerPeriod: u64, periodSeconds: uint, terms: string (<= 1 KiB UTF-8)]`: emits `market.offered`. */
export const offer = defineMethod<OfferArgs>({
  decodeArgs(args: readonly Encodable[]) {
    const r = new TupleReader(args, "args", 4);
    const feed = r.string("feed", MAX_FEED_LENGTH);
    if (parseFeed(feed) === undefined) malformed("feed", "device:<id> or zone:<zone>, 1-64 characters of [a-z0-9._:-]");
    const pricePerPeriod = r.u64("pricePerPeriod");
    const periodSeconds = r.uint("periodSeconds");
    const terms = r.string("terms", MAX_TERMS_BYTES);
    if (utf8(terms).length > MAX_TERMS_BYTES) malformed("terms", `at most ${MAX_TERMS_BYTES} bytes of UTF-8`);
    return { feed, pricePerPeriod, periodSeconds, terms };
  },
  execute(ctx, a) {
    if (a.periodSeconds === 0) fail(MarketErrorCode.INVALID_ARGUMENT, "periodSeconds must be positive");
    const problem = feedProblem(ctx.state, ctx.sender, parseFeed(a.feed) as Feed);
    if (problem !== undefined) fail(problem, "the sender cannot offer this feed", { feed: a.feed });
    const id = addOffer(ctx.state, { owner: ctx.sender, ...a, open: true });
    ctx.emit("market.offered", [
      ["offerId", id],
      ["owner", ctx.sender],
      ["feed", a.feed],
      ["pricePerPeriod", a.pricePerPeriod],
      ["periodSeconds", a.periodSeconds],
    ]);
  },
});

function openOffer(ctx: CallContext, id: number): Offer {
  const found = readOffer(ctx.state, id);
  if (found === undefined) fail(MarketErrorCode.OFFER_UNKNOWN, "no such offer", { offerId: id });
  if (!found.open) fail(MarketErrorCode.OFFER_CLOSED, "the offer is cancelled", { offerId: id });
  return found;
}

export interface BuyArgs {
  readonly offerId: number;
  readonly periods: number;
}

/**
 * `market.buy [offerId: uint, periods: uint >= 1]` by a consumer: pays pricePerPeriod × periods
 * to the offer's owner and creates or extends the licence of (buyer, feed) to
 * max(block time, its end) + periods × periodSeconds; emits `market.bought`.
 */
export const buy = defineMethod<BuyArgs>({
  decodeArgs(args: readonly Encodable[]) {
    const r = new TupleReader(args, "args", 2);
    return { offerId: r.uint("offerId"), periods: r.uint("periods") };
  },
  execute(ctx, { offerId, periods }) {
    if (periods === 0) fail(MarketErrorCode.INVALID_ARGUMENT, "periods must be at least 1");
    if (!hasRole(ctx.state, ctx.sender, "consumer")) fail(MarketErrorCode.UNAUTHORISED, "only a consumer buys feeds");
    const o = openOffer(ctx, offerId);
    if (feedProblem(ctx.state, o.owner, parseFeed(o.feed) as Feed) !== undefined) {
      fail(MarketErrorCode.FEED_UNAVAILABLE, "the offer's owner no longer has this feed", { offerId, feed: o.feed });
    }
    const amount = o.pricePerPeriod * BigInt(periods);
    if (amount > U64_MAX) fail(MarketErrorCode.INVALID_ARGUMENT, "price out of range", { amount: amount.toString() });
    const now = ctx.env.timestamp;
    const current = readLicence(ctx.state, ctx.sender, o.feed)?.expiresAt ?? 0;
    const expiresAt = BigInt(Math.max(now, current)) + BigInt(periods) * BigInt(o.periodSeconds) * 1000n;
    if (expiresAt > BigInt(Number.MAX_SAFE_INTEGER)) fail(MarketErrorCode.INVALID_ARGUMENT, "licence would end out of range");
    debit(ctx.state, ctx.sender, amount);
    credit(ctx.state, o.owner, amount);
    writeLicence(ctx.state, { buyer: ctx.sender, feed: o.feed, expiresAt: Number(expiresAt) });
    ctx.emit("market.bought", [
      ["offerId", offerId],
      ["buyer", ctx.sender],
      ["feed", o.feed],
      ["periods", periods],
      ["amount", amount],
      ["expiresAt", Number(expiresAt)],
    ]);
  },
});

/** `market.cancel [offerId: uint]` by the offer's owner: no new purchases; licences bought stay. Emits `market.cancelled`. */
export const cancel = defineMethod<{ readonly offerId: number }>({
  decodeArgs(args: readonly Encodable[]) {
    return { offerId: new TupleReader(args, "args", 1).uint("offerId") };
  },
  execute(ctx, { offerId }) {
    const o = openOffer(ctx, offerId);
    if (!equalBytes(o.owner, ctx.sender)) fail(MarketErrorCode.NOT_OWNER, "only the offer's owner cancels it", { offerId });
    writeOffer(ctx.state, { ...o, open: false });
    ctx.emit("market.cancelled", [
      ["offerId", offerId],
      ["owner", ctx.sender],
    ]);
  },
});
