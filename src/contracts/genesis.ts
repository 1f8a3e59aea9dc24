import { ADDRESS_LENGTH } from "../crypto/address.js";
import { fromHex, isHex, toHex } from "../crypto/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { PUBLIC_KEY_LENGTH } from "../crypto/keyTypes.js";
import { AttestaError } from "../errors.js";
import { encode } from "../ledger/codec.js";
import type { StateChange } from "../ledger/storage/chainStore.js";
import { grantRole, ROLES, type Role } from "./modules/access.js";
import { writeAccount, ZERO_COUNTERS } from "./modules/accounts.js";
import { MAX_VALIDATORS, validator, writeValidatorSet, type ValidatorSet } from "./modules/validators.js";
import { defaultChainParams, type ChainParams } from "./params.js";
import { EMPTY_STATE, StateOverlay } from "./state.js";

export const GENESIS_INVALID = "GENESIS_INVALID";

export interface GenesisAccount {
  readonly address: Uint8Array;
  readonly balance: bigint;
  readonly roles: readonly Role[];
}

/** The first state of a chain. Its hash is in the genesis header, so peers of another genesis never agree. */
export interface Genesis {
  readonly chainId: string;
  /** ms since the epoch: the genesis header's timestamp. */
  readonly timestamp: number;
  readonly validators: ValidatorSet;
  readonly accounts: readonly GenesisAccount[];
  readonly params: ChainParams;
}

/** genesis.json: the same with hex bytes and decimal-string amounts. */
export interface GenesisJson {
  chainId: string;
  timestamp: number;
  validators: { publicKey: string }[];
  accounts: { address: string; balance: string; roles?: string[] }[];
  params: Omit<ChainParams, "feePerByte"> & { feePerByte: string };
}

function invalid(field: string, expected: string): never {
  throw new AttestaError(GENESIS_INVALID, `genesis ${field}: expected ${expected}`, { field });
}

function hexField(value: unknown, field: string, length: number): Uint8Array {
  if (!isHex(value) || (value.length - 2) / 2 !== length) invalid(field, `0x hex of ${length} bytes`);
  return fromHex(value);
}

function uintField(value: unknown, field: string, min = 0): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) invalid(field, `an integer >= ${min}`);
  return value;
}

function amountField(value: unknown, field: string): bigint {
  if (typeof value !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) >= 1n << 64n) {
    invalid(field, "a decimal u64 string");
  }
  return BigInt(value);
}

/** Validates genesis JSON; every problem is a GENESIS_INVALID error naming the field. */
export function parseGenesis(json: unknown): Genesis {
  const g = json as Partial<GenesisJson> | null;
  if (typeof g !== "object" || g === null) invalid("", "an object");
  if (typeof g.chainId !== "string" || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(g.chainId)) invalid("chainId", "1-64 of [a-z0-9-]");
  const timestamp = uintField(g.timestamp, "timestamp");
  if (!Array.isArray(g.validators) || g.validators.length === 0 || g.validators.length > MAX_VALIDATORS) {
    invalid("validators", `1 to ${MAX_VALIDATORS} validators`);
  }
  const validators = g.validators.map((v, i) => validator(hexField(v?.publicKey, `validators[${i}].publicKey`, PUBLIC_KEY_LENGTH.secp256k1)));
  if (new Set(validators.map((v) => toHex(v.address))).size !== validators.length) invalid("validators", "no duplicates");
  if (!Array.isArray(g.accounts)) invalid("accounts", "a list");
  const accounts = g.accounts.map((a, i) => ({
    address: hexField(a?.address, `accounts[${i}].address`, ADDRESS_LENGTH),
    balance: amountField(a?.balance, `accounts[${i}].balance`),
    roles: (a?.roles ?? []).map((r) => ((ROLES as string[]).includes(r) ? (r as Role) : invalid(`accounts[${i}].roles`, ROLES.join("|")))),
  }));
  if (new Set(accounts.map((a) => toHex(a.address))).size !== accounts.length) invalid("accounts", "no duplicate addresses");
  const p = (g.params ?? {}) as Partial<GenesisJson["params"]>;
  const params: ChainParams = {
    blockPeriodMs: uintField(p.blockPeriodMs ?? defaultChainParams.blockPeriodMs, "params.blockPeriodMs", 1),
    heartbeatMs: uintField(p.heartbeatMs ?? defaultChainParams.heartbeatMs, "params.heartbeatMs", 1),
    feePerByte: amountField(p.feePerByte ?? defaultChainParams.feePerByte.toString(), "params.feePerByte"),
    maxBlockBytes: uintField(p.maxBlockBytes ?? defaultChainParams.maxBlockBytes, "params.maxBlockBytes", 1024),
    maxBlockTxs: uintField(p.maxBlockTxs ?? defaultChainParams.maxBlockTxs, "params.maxBlockTxs", 1),
    maxTxBytes: uintField(p.maxTxBytes ?? defaultChainParams.maxTxBytes, "params.maxTxBytes", 256),
  };
  return { chainId: g.chainId, timestamp, validators, accounts, params };
}

export function genesisToJson(g: Genesis): GenesisJson {
  return {
    chainId: g.chainId,
    timestamp: g.timestamp,
    validators: g.validators.map((v) => ({ publicKey: toHex(v.publicKey) })),
    accounts: g.accounts.map((a) => ({ address: toHex(a.address), balance: a.balance.toString(), roles: [...a.roles] })),
    params: { ...g.params, feePerByte: g.params.feePerByte.toString() },
  };
}

/** SHA-256 of the canonical encoding of the whole document; the genesis header carries it as its parent hash. */
export function genesisDocumentHash(g: Genesis): Uint8Array {
  const p = g.params;
  return sha256(
    encode([
      g.chainId,
      g.timestamp,
      g.validators.map((v) => v.publicKey),
      g.accounts.map((a) => [a.address, a.balance, [...a.roles]]),
      [p.blockPeriodMs, p.heartbeatMs, p.feePerByte, p.maxBlockBytes, p.maxBlockTxs, p.maxTxBytes],
    ]),
  );
}

/** The state genesis writes: accounts, roles and the validator set. */
export function genesisStateChanges(g: Genesis): StateChange[] {
  const state = StateOverlay.over(EMPTY_STATE);
  for (const a of g.accounts) {
    writeAccount(state, a.address, { balance: a.balance, nonce: 0, counters: ZERO_COUNTERS });
    for (const role of a.roles) grantRole(state, a.address, role);
  }
  writeValidatorSet(state, g.validators);
  return state.changes();
}
