import { checkAmount, checkText, checkUint } from "./argChecks.js";

// Argument tuples of the `market` module: offers of data feeds, and licences bought on them.

export interface OfferParams {
  /** `device:<id>` or `zone:<zone>`. */
  readonly feed: string;
  readonly pricePerPeriod: bigint;
  readonly periodSeconds: number;
  readonly terms?: string;
}

/** `market.offer`: `[feed, pricePerPeriod, periodSeconds, terms]`, by the owner of the device or the zone's devices. */
export function offerArgs(p: OfferParams): [string, bigint, number, string] {
  const feed = checkText("feed", p.feed);
  if (!/^(device|zone):./.test(feed)) throw new RangeError("feed must be device:<id> or zone:<zone>");
  return [feed, checkAmount("pricePerPeriod", p.pricePerPeriod), checkUint("periodSeconds", p.periodSeconds), checkText("terms", p.terms ?? "")];
}

/** `market.buy`: `[offerId, periods]`; the price of `periods` periods goes to the offer's owner. */
export function buyArgs(offerId: number, periods: number): [number, number] {
  return [checkUint("offerId", offerId), checkUint("periods", periods)];
}

/** `market.cancel`: `[offerId]`, by the offer's owner. */
export function cancelOfferArgs(offerId: number): [number] {
  return [checkUint("offerId", offerId)];
}
