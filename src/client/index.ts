// The Attesta SDK, for devices and bridges: keys, building and signing transactions, and a
// client of a node's HTTP API. It imports only src/crypto and src/ledger.
export { AttestaClient, MAX_BATCH_TXS, type ClientOptions, type TransferOptions, type TransferResult, type WaitOptions } from "./client.js";
export { ApiError, ClientErrorCode, isApiError } from "./apiError.js";
export { addressBytes, buildTransaction, transferArgs, TRANSFER_KIND, type BuildTransactionParams } from "./buildTransaction.js";
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
