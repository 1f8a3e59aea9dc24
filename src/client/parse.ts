import type { AccountInfo, BlockInfo, ChainStatus, CountersInfo, DeviceInfo, OfferInfo, ReceiptInfo, TxInfo, TxStatus } from "./types.js";

// The API sends amounts as decimal strings; the SDK hands them back as bigint.

type Wire<T, K extends keyof T> = Omit<T, K> & { [P in K]: string };

export function parseStatus(s: Omit<ChainStatus, "params"> & { params: Wire<ChainStatus["params"], "feePerByte"> }): ChainStatus {
  return { ...s, params: { ...s.params, feePerByte: BigInt(s.params.feePerByte) } };
}

export type CountersWire = Wire<CountersInfo, "feesPaid">;

function parseCounters(c: CountersWire): CountersInfo {
  return { ...c, feesPaid: BigInt(c.feesPaid) };
}

export function parseAccount(a: Omit<Wire<AccountInfo, "balance">, "counters"> & { counters: CountersWire }): AccountInfo {
  return { ...a, balance: BigInt(a.balance), counters: parseCounters(a.counters) };
}

export function parseDevice(d: Omit<DeviceInfo, "counters"> & { counters: CountersWire }): DeviceInfo {
  return { ...d, counters: parseCounters(d.counters) };
}

export function parseOffer(o: Wire<OfferInfo, "pricePerPeriod">): OfferInfo {
  return { ...o, pricePerPeriod: BigInt(o.pricePerPeriod) };
}

export type ReceiptWire = Wire<ReceiptInfo, "fee">;

export function parseReceipt(r: ReceiptWire): ReceiptInfo {
  return { ...r, fee: BigInt(r.fee) };
}

export type TxWire = Wire<TxInfo, "fee">;

export function parseTxStatus(t: Omit<TxStatus, "receipt"> & { receipt?: ReceiptWire }): TxStatus {
  const { receipt, ...rest } = t;
  return receipt === undefined ? rest : { ...rest, receipt: parseReceipt(receipt) };
}

export type BlockWire = Omit<BlockInfo, "txs"> & { txs?: (TxWire & { receipt: ReceiptWire | null })[] };

export function parseBlock(b: BlockWire): BlockInfo {
  const { txs, ...rest } = b;
  if (txs === undefined) return rest;
  return {
    ...rest,
    txs: txs.map((tx) => ({ ...tx, fee: BigInt(tx.fee), receipt: tx.receipt === null ? null : parseReceipt(tx.receipt) })),
  };
}
