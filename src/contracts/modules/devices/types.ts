import type { KeyType } from "../../../crypto/keyTypes.js";
import type { Counters } from "../accounts.js";

export type DeviceStatus = "active" | "suspended" | "revoked";
export type DeviceKind = "sensor" | "bridge";

/** A registered device, as the devices module keeps it in state. */
export interface DeviceRecord {
  /** 1-64 characters of [a-z0-9._:-]. */
  readonly id: string;
  readonly keyType: KeyType;
  readonly publicKey: Uint8Array;
  /** The account that registered it (or received it by transfer); pays its fees. */
  readonly owner: Uint8Array;
  readonly kind: DeviceKind;
  readonly profileId: string;
  /** The bridge device it is bound to, if any. */
  readonly bridge: string | null;
  readonly zone: string | null;
  readonly meta: string | null;
  readonly status: DeviceStatus;
  /** The nonce its next transaction must carry (a device signs its own transactions). */
  readonly nonce: number;
  /** Height at which it was registered. */
  readonly registeredAt: number;
  /**
   * Timestamps (ms, reading time) of its recent flagged readings, oldest first, for the
   * profile's suspension policy; cleared on reinstatement.
   */
  readonly anomalyWindow: readonly number[];
  /** Its transactions, readings, anomalies and the fees paid for it (by its owner). */
  readonly counters: Counters;
}
