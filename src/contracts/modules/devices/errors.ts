import { TxErrorCode } from "../../../ledger/txErrors.js";
import { ExecErrorCode } from "../../errors.js";

/**
 * Why a devices method fails (its receipt's code). Codes shared with the transaction and
 * execution enums keep their values there. Stable: never rename one.
 */
export const DeviceErrorCode = {
  UNAUTHORISED: ExecErrorCode.UNAUTHORISED,
  INVALID_ARGUMENT: ExecErrorCode.INVALID_ARGUMENT,
  DEVICE_UNKNOWN: TxErrorCode.DEVICE_UNKNOWN,
  DEVICE_REVOKED: TxErrorCode.DEVICE_REVOKED,
  /** The id belongs to a registered device. */
  DEVICE_EXISTS: "DEVICE_EXISTS",
  /** The id belonged to a device since revoked: ids are never reused. */
  ID_RETIRED: "ID_RETIRED",
  /** The public key is the current key of a device. */
  KEY_IN_USE: "KEY_IN_USE",
  /** The public key was rotated out of a device, or is the key of a revoked device: keys are never reused. */
  KEY_RETIRED: "KEY_RETIRED",
  /** The sender is not the device's owner (nor an admin, where an admin may act). */
  NOT_OWNER: "NOT_OWNER",
  /** The device is not in a status the method applies to (suspend an active one, reinstate a suspended one). */
  WRONG_STATUS: "WRONG_STATUS",
  /** A bridge cannot be bound to a bridge. */
  WRONG_KIND: "WRONG_KIND",
  PROFILE_UNKNOWN: "PROFILE_UNKNOWN",
  BRIDGE_UNKNOWN: "BRIDGE_UNKNOWN",
  /** The named bridge is a device of kind sensor. */
  NOT_A_BRIDGE: "NOT_A_BRIDGE",
  /** The bridge has another owner than the device. */
  BRIDGE_NOT_OWNED: "BRIDGE_NOT_OWNED",
  /** The bridge is suspended or revoked. */
  BRIDGE_INACTIVE: "BRIDGE_INACTIVE",
  /** A bridge with devices bound to it cannot change owner (unbind or rebind them first). */
  BRIDGE_IN_USE: "BRIDGE_IN_USE",
  /** The new owner of a transfer does not hold the operator role. */
  NOT_OPERATOR: "NOT_OPERATOR",
} as const;
export type DeviceErrorCode = (typeof DeviceErrorCode)[keyof typeof DeviceErrorCode];
