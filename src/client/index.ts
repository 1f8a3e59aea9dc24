// The Attesta SDK, for devices and bridges: keys, building and signing transactions, and a
// client of a node's HTTP API. It imports only src/crypto and src/ledger.
export {
  AttestaClient,
  MAX_BATCH_TXS,
  type ClientOptions,
  type PageOptions,
  type ReadingInput,
  type ReadingResult,
  type SendOptions,
  type SendResult,
  type TransferOptions,
  type TransferResult,
  type WaitOptions,
} from "./client.js";
export { ApiError, ClientErrorCode, isApiError } from "./apiError.js";
export { addressBytes, buildTransaction, transferArgs, TRANSFER_KIND, type BuildTransactionParams } from "./buildTransaction.js";
export { TxKind, DEVICE_SIGNED_KINDS } from "./txKinds.js";
export { DEVICE_ID_RE, isDeviceId } from "./argChecks.js";
export {
  registerDeviceArgs,
  bindDeviceArgs,
  rotateDeviceKeyArgs,
  suspendDeviceArgs,
  reinstateDeviceArgs,
  revokeDeviceArgs,
  transferDeviceArgs,
  type DeviceKind,
  type RegisterDeviceArgs,
  type RegisterDeviceParams,
} from "./deviceArgs.js";
export { readingArgs, batchArgs, readingValues, type Reading, type ReadingTuple, type ReadingValues, type ReadingValuesInput } from "./readingArgs.js";
export { readingOutcomes, READING_EVENT } from "./readingOutcomes.js";
export {
  ROLES,
  grantRoleArgs,
  revokeRoleArgs,
  publishProfileArgs,
  assignProfileArgs,
  voteArgs,
  type Role,
  type VoteParams,
} from "./governanceArgs.js";
export { offerArgs, buyArgs, cancelOfferArgs, type OfferParams } from "./marketArgs.js";
export type * from "./types.js";

export { generateKeyPair, keyPairFromSecret, type KeyPair } from "../crypto/keys.js";
export { readKeyFile, writeKeyFile, loadOrCreateKeyFile, keyFileJson, type KeyFileJson } from "../crypto/keyFile.js";
export { toHex, fromHex, isHex } from "../crypto/bytes.js";
export { addressOf } from "../crypto/address.js";
export { KEY_TYPES, isKeyType, type KeyType } from "../crypto/keyTypes.js";
export { AttestaError, isAttestaError } from "../errors.js";
export { decodeTransaction, signTransaction, type SignedTransaction, type UnsignedTransaction } from "../ledger/transaction.js";
export { minimumFee } from "../ledger/fee.js";
export { TxErrorCode } from "../ledger/txErrors.js";
export type { Encodable } from "../ledger/codec.js";
export {
  verifyIntegrity,
  IntegrityCheckCode,
  type DeviceIntegrityAnswer,
  type IntegrityTrust,
  type IntegrityVerdict,
  type VerifyIntegrityOptions,
} from "./integrity.js";
