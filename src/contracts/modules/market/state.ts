import { ADDRESS_LENGTH } from "../../../crypto/address.js";
import { utf8 } from "../../../crypto/bytes.js";
import { decodeTrusted, encode } from "../../../ledger/codec.js";
import { TupleReader } from "../../../ledger/tuple.js";
import { ModuleId, stateKey } from "../../moduleIds.js";
import type { StateOverlay, StateView } from "../../state.js";

// State layout of the market module (first byte ModuleId.MARKET, then one of these; stable):
//   COUNT                        -> [count]: offers made; their ids are 1..count (dense)
//   OFFER   + u64be(id)          -> [owner, feed, pricePerPeriod, periodSeconds, terms, open]
//   LICENCE + buyer(20) + feed   -> [expiresAt]
//   FEEDS   + buyer(20)          -> [feed...]: the feeds the buyer holds a licence of, sorted
const Part = { COUNT: 0x00, OFFER: 0x01, LICENCE: 0x02, FEEDS: 0x03 } as const;

/** Longest feed name: `device:` or `zone:` and 1-64 characters. */
export const MAX_FEED_LENGTH = 71;
/** Largest terms text, in UTF-8 bytes. */
export const MAX_TERMS_BYTES = 1024;
/** Most offers one `listOffers` call returns. */
export const MAX_LIST_LIMIT = 1000;

/** A data feed for sale: a device's readings, or those of a zone's devices. */
export interface Offer {
  /** Sequential from 1. */
  readonly id: number;
  readonly owner: Uint8Array;
  /** `device:<id>` or `zone:<zone>`. */
  readonly feed: string;
  readonly pricePerPeriod: bigint;
  readonly periodSeconds: number;
  readonly terms: string;
  /** False once cancelled: no new purchases (licences already bought stay). */
  readonly open: boolean;
}

/** A buyer's access to a feed, until `expiresAt` (ms, block time). */
export interface Licence {
  readonly buyer: Uint8Array;
  readonly feed: string;
  readonly expiresAt: number;
}

const COUNT_KEY = stateKey(ModuleId.MARKET, Uint8Array.of(Part.COUNT));

function idBytes(id: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(id));
  return bytes;
}

const offerKey = (id: number): Uint8Array => stateKey(ModuleId.MARKET, Uint8Array.of(Part.OFFER), idBytes(id));
const licenceKey = (buyer: Uint8Array, feed: string): Uint8Array => stateKey(ModuleId.MARKET, Uint8Array.of(Part.LICENCE), buyer, utf8(feed));
const feedsKey = (buyer: Uint8Array): Uint8Array => stateKey(ModuleId.MARKET, Uint8Array.of(Part.FEEDS), buyer);

/** How many offers were ever made (the highest id). */
export function offerCount(state: StateView): number {
  const bytes = state.get(COUNT_KEY);
  return bytes === undefined ? 0 : new TupleReader(decodeTrusted(bytes), "offerCount", 1).uint("count");
}

/** Stores a new offer under the next id, which it returns. */
export function addOffer(state: StateOverlay, offer: Omit<Offer, "id">): number {
  const id = offerCount(state) + 1;
  state.set(COUNT_KEY, encode([id]));
  writeOffer(state, { ...offer, id });
  return id;
}

export function writeOffer(state: StateOverlay, o: Offer): void {
  state.set(offerKey(o.id), encode([o.owner, o.feed, o.pricePerPeriod, o.periodSeconds, o.terms, o.open]));
}

export function readOffer(state: StateView, id: number): Offer | undefined {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  const bytes = state.get(offerKey(id));
  if (bytes === undefined) return undefined;
  const r = new TupleReader(decodeTrusted(bytes), "offer", 6);
  return {
    id,
    owner: r.bytes("owner", ADDRESS_LENGTH),
    feed: r.string("feed", MAX_FEED_LENGTH),
    pricePerPeriod: r.u64("pricePerPeriod"),
    periodSeconds: r.uint("periodSeconds"),
    terms: r.string("terms", MAX_TERMS_BYTES),
    open: r.bool("open"),
  };
}

/** Offers by ascending id from `from` (default 1), at most `limit` (default 100, at most MAX_LIST_LIMIT); cancelled ones included. */
export function listOffers(state: StateView, { from = 1, limit = 100 }: { from?: number; limit?: number } = {}): Offer[] {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(limit) || limit < 0) throw new RangeError("from and limit must be integers, limit >= 0");
  const first = Math.max(from, 1);
  const last = Math.min(offerCount(state), first + Math.min(limit, MAX_LIST_LIMIT) - 1);
  const offers: Offer[] = [];
  for (let id = first; id <= last; id++) {
    const offer = readOffer(state, id);
    if (offer !== undefined) offers.push(offer);
  }
  return offers;
}

export function readLicence(state: StateView, buyer: Uint8Array, feed: string): Licence | undefined {
  const bytes = state.get(licenceKey(buyer, feed));
  if (bytes === undefined) return undefined;
  return { buyer, feed, expiresAt: new TupleReader(decodeTrusted(bytes), "licence", 1).uint("expiresAt") };
}

function feedsOf(state: StateView, buyer: Uint8Array): string[] {
  const bytes = state.get(feedsKey(buyer));
  if (bytes === undefined) return [];
  return new TupleReader([decodeTrusted(bytes)], "licences", 1).list("feeds").map((f) => new TupleReader([f], "licences", 1).string("feed", MAX_FEED_LENGTH));
}

/** Every licence the buyer ever held (expired ones too), sorted by feed. */
export function licencesOf(state: StateView, buyer: Uint8Array): Licence[] {
  const licences: Licence[] = [];
  for (const feed of feedsOf(state, buyer)) {
    const licence = readLicence(state, buyer, feed);
    if (licence !== undefined) licences.push(licence);
  }
  return licences;
}

/** Writes a licence, adding its feed to the buyer's list the first time. */
export function writeLicence(state: StateOverlay, licence: Licence): void {
  const feeds = feedsOf(state, licence.buyer);
  if (!feeds.includes(licence.feed)) {
    // Feed names are ASCII ([a-z0-9._:-]), so code-unit order is byte order on every node.
    state.set(feedsKey(licence.buyer), encode([...feeds, licence.feed].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))));
  }
  state.set(licenceKey(licence.buyer, licence.feed), encode([licence.expiresAt]));
}
