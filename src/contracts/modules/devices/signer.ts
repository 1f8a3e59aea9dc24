import { AttestaError } from "../../../errors.js";
import { TxErrorCode } from "../../../ledger/txErrors.js";
import type { Signer } from "../../runtime.js";
import type { StateView } from "../../state.js";
import { chargeFeeFrom, payerAccountOf, readAccount, type PayerResolved } from "../accounts.js";
import { deviceIdOfAddress, readDevice, writeDevice } from "./state.js";
import type { DeviceRecord } from "./types.js";

/** A device signer as resolved: the device's record and its owner's account as read then. */
interface DeviceResolved extends PayerResolved {
  readonly device: DeviceRecord;
}

function signingDevice(state: StateView, sender: Uint8Array): DeviceRecord {
  const id = deviceIdOfAddress(state, sender);
  const record = id === undefined ? undefined : readDevice(state, id);
  if (record === undefined) throw new AttestaError(TxErrorCode.DEVICE_UNKNOWN, "sender is not the key of a device");
  if (record.status === "revoked") throw new AttestaError(TxErrorCode.DEVICE_REVOKED, "device is revoked", { id: record.id });
  return record;
}

/**
 * A device signs its own transactions with its current key: the nonce is the device's, the
 * fee is paid by its owner. Suspended devices still sign (the method decides what they may do);
 * revoked ones cannot. Charging counts the transaction and the fee on the device, and the fee
 * on the owner (whose nonce and transaction count are untouched).
 */
export const deviceSigner: Signer = {
  resolve(state, sender): DeviceResolved {
    const record = signingDevice(state, sender);
    const owner = readAccount(state, record.owner);
    return { nonce: record.nonce, payer: record.owner, payerBalance: owner?.balance ?? 0n, payerAccount: owner, device: record };
  },
  charge(state, sender, resolved, fee) {
    const record = "device" in resolved ? (resolved as DeviceResolved).device : signingDevice(state, sender);
    const c = record.counters;
    writeDevice(state, { ...record, nonce: record.nonce + 1, counters: { ...c, txs: c.txs + 1, feesPaid: c.feesPaid + fee } });
    // The owner's account is another key than the device's record: the one resolved still holds.
    const known = payerAccountOf(resolved);
    chargeFeeFrom(state, record.owner, known === undefined ? readAccount(state, record.owner) : known.account, fee, false, false);
  },
};
