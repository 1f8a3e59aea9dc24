import type { ContractModule } from "../../runtime.js";
import { buy, cancel, offer } from "./methods.js";

export { MarketErrorCode } from "./errors.js";
export { parseFeed, type BuyArgs, type Feed, type OfferArgs } from "./methods.js";
export { licencesOf, listOffers, MAX_LIST_LIMIT, MAX_TERMS_BYTES, offerCount, readLicence, readOffer, type Licence, type Offer } from "./state.js";

/** Data feeds for sale: offers of a device's or a zone's readings, and the licences bought on them. */
export const marketModule: ContractModule = { name: "market", methods: { offer, buy, cancel } };
