/** The transaction kinds ("module.method") the SDK builds arguments for. */
export const TxKind = {
  TRANSFER: "accounts.transfer",
  GRANT_ROLE: "access.grant",
  REVOKE_ROLE: "access.revoke",
  REGISTER_DEVICE: "devices.register",
  BIND_DEVICE: "devices.bind",
  ROTATE_DEVICE_KEY: "devices.rotateKey",
  SUSPEND_DEVICE: "devices.suspend",
  REINSTATE_DEVICE: "devices.reinstate",
  REVOKE_DEVICE: "devices.revoke",
  TRANSFER_DEVICE: "devices.transfer",
  PUBLISH_PROFILE: "profiles.publish",
  ASSIGN_PROFILE: "profiles.assign",
  SUBMIT_READING: "readings.submit",
  SUBMIT_BATCH: "readings.batch",
  OFFER: "market.offer",
  BUY: "market.buy",
  CANCEL_OFFER: "market.cancel",
  VOTE: "validators.vote",
} as const;
export type TxKind = (typeof TxKind)[keyof typeof TxKind];

/**
 * Kinds signed by a device's key rather than an account's: they carry the device's own nonce
 * (`pendingNonce` of `GET /v1/devices/:id`), and the device's owner pays the fee.
 */
export const DEVICE_SIGNED_KINDS: ReadonlySet<string> = new Set([TxKind.SUBMIT_READING, TxKind.SUBMIT_BATCH]);
