import { TxErrorCode } from "../../../ledger/txErrors.js";
import { ExecErrorCode } from "../../errors.js";
import { DeviceErrorCode } from "../devices/errors.js";

/**
 * Why a market method fails (its receipt's code). Codes shared with other enums keep their
 * values there. Stable: never rename one.
 */
export const MarketErrorCode = {
  /** A zone offer by an account without the operator role; a purchase by one without the consumer role. */
  UNAUTHORISED: ExecErrorCode.UNAUTHORISED,
  /** The buyer cannot pay the price of the periods bought. */
  INSUFFICIENT_FUNDS: ExecErrorCode.INSUFFICIENT_FUNDS,
  /** Zero periodSeconds or periods, or a price or licence end past what the chain can hold. */
  INVALID_ARGUMENT: ExecErrorCode.INVALID_ARGUMENT,
  /** The device of a `device:<id>` feed is not registered. */
  DEVICE_UNKNOWN: TxErrorCode.DEVICE_UNKNOWN,
  /** The device of a `device:<id>` feed is revoked. */
  DEVICE_REVOKED: TxErrorCode.DEVICE_REVOKED,
  /** The sender does not own the feed's device (offer), or the offer (cancel). */
  NOT_OWNER: DeviceErrorCode.NOT_OWNER,
  OFFER_UNKNOWN: "OFFER_UNKNOWN",
  /** The offer was cancelled: no new purchases. */
  OFFER_CLOSED: "OFFER_CLOSED",
  /**
   * The offer's owner no longer has the feed to sell: the device was revoked or transferred
   * to another owner, or (a zone feed) the owner lost the operator role.
   */
  FEED_UNAVAILABLE: "FEED_UNAVAILABLE",
} as const;
export type MarketErrorCode = (typeof MarketErrorCode)[keyof typeof MarketErrorCode];
