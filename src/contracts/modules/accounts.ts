import { ADDRESS_LENGTH } from "../../crypto/address.js";
import { AttestaError } from "../../errors.js";
import { decodeTrusted, encode } from "../../ledger/codec.js";
import { TupleReader } from "../../ledger/tuple.js";
import { ExecErrorCode } from "../errors.js";
import { ModuleId, stateKey } from "../moduleIds.js";
import { defineMethod, type ContractModule, type Signer } from "../runtime.js";
import { TxErrorCode } from "../../ledger/txErrors.js";
import type { StateOverlay, StateReader } from "../state.js";

export interface Account {
  readonly balance: bigint;
  /** The nonce the account's next transaction must carry. */
  readonly nonce: number;
}

const accountKey = (address: Uint8Array): Uint8Array => stateKey(ModuleId.ACCOUNTS, address);

export async function readAccount(state: StateReader, address: Uint8Array): Promise<Account | undefined> {
  const bytes = await state.get(accountKey(address));
  if (bytes === undefined) return undefined;
  const r = new TupleReader(decodeTrusted(bytes), "account", 2);
  return { balance: r.u64("balance"), nonce: r.uint("nonce") };
}

export function writeAccount(state: StateOverlay, address: Uint8Array, account: Account): void {
  state.set(accountKey(address), encode([account.balance, account.nonce]));
}

export async function credit(state: StateOverlay, address: Uint8Array, amount: bigint): Promise<void> {
  const account = (await readAccount(state, address)) ?? { balance: 0n, nonce: 0 };
  writeAccount(state, address, { ...account, balance: account.balance + amount });
}

export async function debit(state: StateOverlay, address: Uint8Array, amount: bigint): Promise<void> {
  const account = await readAccount(state, address);
  if (account === undefined || account.balance < amount) {
    throw new AttestaError(ExecErrorCode.INSUFFICIENT_FUNDS, "balance too low", { amount: amount.toString() });
  }
  writeAccount(state, address, { ...account, balance: account.balance - amount });
}

/** Accounts sign for themselves: their nonce, their balance pays the fee. */
export const accountSigner: Signer = {
  async resolve(state, sender) {
    const account = await readAccount(state, sender);
    if (account === undefined) throw new AttestaError(TxErrorCode.UNKNOWN_SENDER, "sender has no account");
    return { nonce: account.nonce, payer: sender, payerBalance: account.balance };
  },
  async charge(state, sender, account, fee) {
    writeAccount(state, sender, { balance: account.payerBalance - fee, nonce: account.nonce + 1 });
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
  async execute(ctx, { to, amount }) {
    if (amount === 0n) throw new AttestaError(ExecErrorCode.INVALID_ARGUMENT, "amount must be positive");
    await debit(ctx.state, ctx.sender, amount);
    await credit(ctx.state, to, amount);
    ctx.emit("transfer", [["from", ctx.sender], ["to", to], ["amount", amount]]);
  },
});

export const accountsModule: ContractModule = { name: "accounts", methods: { transfer } };
