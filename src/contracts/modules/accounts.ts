import { ADDRESS_LENGTH } from "../../crypto/address.js";
import { AttestaError } from "../../errors.js";
import { decodeTrusted, encode, type Encodable } from "../../ledger/codec.js";
import { TupleReader } from "../../ledger/tuple.js";
import { ExecErrorCode } from "../errors.js";
import { ModuleId, stateKey } from "../moduleIds.js";
import { defineMethod, type ContractModule, type Signer, type SignerAccount } from "../runtime.js";
import { TxErrorCode } from "../../ledger/txErrors.js";
import { readState, StateCodec, type StateOverlay, type StateView } from "../state.js";

/** Accounting of an account or a device: transactions signed, readings, anomalies, fees paid. */
export interface Counters {
  readonly txs: number;
  readonly readings: number;
  readonly anomalies: number;
  readonly feesPaid: bigint;
}

export const ZERO_COUNTERS: Counters = { txs: 0, readings: 0, anomalies: 0, feesPaid: 0n };

export function countersTuple(c: Counters): Encodable[] {
  return [c.txs, c.readings, c.anomalies, c.feesPaid];
}

export function readCounters(r: TupleReader): Counters {
  return { txs: r.uint("txs"), readings: r.uint("readings"), anomalies: r.uint("anomalies"), feesPaid: r.u64("feesPaid") };
}

export interface Account {
  readonly balance: bigint;
  /** The nonce the account's next transaction must carry. */
  readonly nonce: number;
  /** For an owner, readings, anomalies and fees include those of its devices. */
  readonly counters: Counters;
}

const EMPTY_ACCOUNT: Account = { balance: 0n, nonce: 0, counters: ZERO_COUNTERS };
const accountKey = (address: Uint8Array): Uint8Array => stateKey(ModuleId.ACCOUNTS, address);

const ACCOUNT = new StateCodec<Account>(
  (account) => encode([account.balance, account.nonce, ...countersTuple(account.counters)]),
  (bytes) => {
    const r = new TupleReader(decodeTrusted(bytes), "account", 6);
    return { balance: r.u64("balance"), nonce: r.uint("nonce"), counters: readCounters(r) };
  },
);

export function readAccount(state: StateView, address: Uint8Array): Account | undefined {
  return readState(state, accountKey(address), ACCOUNT);
}

export function writeAccount(state: StateOverlay, address: Uint8Array, account: Account): void {
  state.put(accountKey(address), account, ACCOUNT);
}

export function credit(state: StateOverlay, address: Uint8Array, amount: bigint): void {
  const account = readAccount(state, address) ?? EMPTY_ACCOUNT;
  writeAccount(state, address, { ...account, balance: account.balance + amount });
}

/** Adds readings and anomalies (of its devices) to an account's counters. */
export function countReadings(state: StateOverlay, address: Uint8Array, readings: number, anomalies: number): void {
  const account = readAccount(state, address) ?? EMPTY_ACCOUNT;
  const c = account.counters;
  writeAccount(state, address, { ...account, counters: { ...c, readings: c.readings + readings, anomalies: c.anomalies + anomalies } });
}

/**
 * Takes a fee from `payer`'s balance and counts it; `signed` also counts a transaction (false
 * when the payer pays for one of its devices). `account` is the payer's as it is in `state`.
 */
export function chargeFeeFrom(state: StateOverlay, payer: Uint8Array, account: Account | undefined, fee: bigint, signed: boolean, bumpNonce: boolean): void {
  const a = account ?? EMPTY_ACCOUNT;
  const c = a.counters;
  writeAccount(state, payer, {
    balance: a.balance - fee,
    nonce: bumpNonce ? a.nonce + 1 : a.nonce,
    counters: { ...c, txs: signed ? c.txs + 1 : c.txs, feesPaid: c.feesPaid + fee },
  });
}

/** A signer as resolved, with the payer's account as read then (undefined: it has none). */
export interface PayerResolved extends SignerAccount {
  readonly payerAccount: Account | undefined;
}

/** The payer's account as the signer resolved it over the same state, when it says so. */
export function payerAccountOf(account: SignerAccount): { readonly account: Account | undefined } | undefined {
  return "payerAccount" in account ? { account: (account as PayerResolved).payerAccount } : undefined;
}

export function debit(state: StateOverlay, address: Uint8Array, amount: bigint): void {
  const account = readAccount(state, address);
  if (account === undefined || account.balance < amount) {
    throw new AttestaError(ExecErrorCode.INSUFFICIENT_FUNDS, "balance too low", { amount: amount.toString() });
  }
  writeAccount(state, address, { ...account, balance: account.balance - amount });
}

/** Accounts sign for themselves: their nonce, their balance pays the fee. */
export const accountSigner: Signer = {
  resolve(state, sender): PayerResolved {
    const account = readAccount(state, sender);
    if (account === undefined) throw new AttestaError(TxErrorCode.UNKNOWN_SENDER, "sender has no account");
    return { nonce: account.nonce, payer: sender, payerBalance: account.balance, payerAccount: account };
  },
  charge(state, sender, resolved, fee) {
    const known = payerAccountOf(resolved);
    chargeFeeFrom(state, sender, known === undefined ? readAccount(state, sender) : known.account, fee, true, true);
  },
};

export interface TransferArgs {
  readonly to: Uint8Array;
  readonly amount: bigint;
}

const transfer = defineMethod<TransferArgs>({
  decodeArgs(args) {
    const r = new TupleReader(args, "args", 2);
    return { to: r.bytes("to", ADDRESS_LENGTH), amount: r.u64("amount") };
  },
  execute(ctx, { to, amount }) {
    if (amount === 0n) throw new AttestaError(ExecErrorCode.INVALID_ARGUMENT, "amount must be positive");
    debit(ctx.state, ctx.sender, amount);
    credit(ctx.state, to, amount);
    ctx.emit("transfer", [["from", ctx.sender], ["to", to], ["amount", amount]]);
  },
});

export const accountsModule: ContractModule = { name: "accounts", methods: { transfer } };
