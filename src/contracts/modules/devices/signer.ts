import { AttestaError } from "../../../errors.js";
import { TxErrorCode } from "../../../ledger/txErrors.js";
import type { Signer } from "../../runtime.js";
import type { StateReader } from "../../state.js";
import { chargeFee, readAccount } from "../accounts.js";
import { deviceIdOfAddress, readDevice, writeDevice } from "./state.js";
import type { DeviceRecord } from "./types.js";

async function signingDevice(state: StateReader, sender: Uint8Array): Promise<DeviceRecord> {
  const id = await deviceIdOfAddress(state, sender);
  const record = id === undefined ? undefined : await readDevice(state, id);
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
  async resolve(state, sender) {
    const record = await signingDevice(state, sender);
    const owner = await readAccount(state, record.owner);
    return { nonce: record.nonce, payer: record.owner, payerBalance: owner?.balance ?? 0n };
  },
  async charge(state, sender, _account, fee) {
    const record = await signingDevice(state, sender);
    const c = record.counters;
    writeDevice(state, { ...record, nonce: record.nonce + 1, counters: { ...c, txs: c.txs + 1, feesPaid: c.feesPaid + fee } });
    await chargeFee(state, record.owner, fee, false, false);
  },
};
