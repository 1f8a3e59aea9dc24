import { utf8 } from "../crypto/bytes.js";
import { READING_EVENT, type Finding, type ReadingFinding } from "../contracts/modules/readings/findings.js";
import { decodeTrusted, encode, type Encodable } from "../ledger/codec.js";
import type { Receipt } from "../ledger/receipt.js";
import type { ChainStore } from "../ledger/storage/chainStore.js";
import { Prefix } from "../ledger/storage/prefixes.js";
import { TupleReader } from "../ledger/tuple.js";
import type { ReadingView } from "./types.js";

// The readings index: accepted readings by device and seq, flagged ones by device and by
// height. Derived from the receipts' `reading` events and written in the block's own batch,
// so it is never ahead of or behind the chain.

const u64 = (n: number): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
};
const u32 = (n: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};

function key(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** The device part of a key: its id, length-prefixed so no id is a prefix of another's range. */
function deviceKey(prefix: number, id: string): Uint8Array {
  const bytes = utf8(id);
  return key(Uint8Array.of(prefix, bytes.length), bytes);
}

/** The first key after every key that starts with `prefix`. */
function after(prefix: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0xff) {
      out[i] = (out[i] as number) + 1;
      return out.subarray(0, i + 1);
    }
  }
  return Uint8Array.of(0xff, 0xff);
}

function attribute(attributes: ReadonlyArray<readonly [string, Encodable]>, name: string): Encodable {
  return attributes.find(([k]) => k === name)?.[1] ?? null;
}

function readingOf(attributes: ReadonlyArray<readonly [string, Encodable]>, height: number, txIndex: number, index: number): ReadingView | undefined {
  if (attribute(attributes, "status") !== "ok") return undefined;
  const values = (attribute(attributes, "values") ?? []) as ReadonlyArray<readonly [string, number]>;
  const findings = ((attribute(attributes, "findings") ?? []) as ReadonlyArray<readonly [string, string, number, number]>).map(
    ([code, metric, value, bound]): Finding => ({ code: code as ReadingFinding, metric, value, bound }),
  );
  return {
    deviceId: String(attribute(attributes, "device")),
    seq: Number(attribute(attributes, "seq")),
    ts: Number(attribute(attributes, "ts")),
    height,
    txIndex,
    index,
    values,
    findings,
    profile: String(attribute(attributes, "profile") ?? ""),
    version: Number(attribute(attributes, "version") ?? 0),
  };
}

function encodeReading(r: ReadingView): Uint8Array {
  return encode([
    r.deviceId, r.seq, r.ts, r.height, r.txIndex, r.index,
    r.values.map(([k, v]) => [k, v]), r.findings.map((f) => [f.code, f.metric, f.value, f.bound]), r.profile, r.version,
  ]);
}

function decodeReading(bytes: Uint8Array): ReadingView {
  const r = new TupleReader(decodeTrusted(bytes), "reading", 10);
  return {
    deviceId: r.string("deviceId", 64),
    seq: r.uint("seq"),
    ts: r.uint("ts"),
    height: r.uint("height"),
    txIndex: r.uint("txIndex"),
    index: r.uint("index"),
    values: r.list("values") as ReadonlyArray<readonly [string, number]>,
    findings: (r.list("findings") as ReadonlyArray<readonly [string, string, number, number]>).map(([code, metric, value, bound]) => ({
      code: code as ReadingFinding, metric, value, bound,
    })),
    profile: r.string("profile", 64),
    version: r.uint("version"),
  };
}

/** The index entries of a block, from its receipts. */
export function readingIndexEntries(height: number, receipts: readonly Receipt[]): Array<[Uint8Array, Uint8Array]> {
  const entries: Array<[Uint8Array, Uint8Array]> = [];
  receipts.forEach((receipt, txIndex) => {
    let index = 0;
    for (const event of receipt.events) {
      if (event.type !== READING_EVENT) continue;
      const reading = readingOf(event.attributes, height, txIndex, index++);
      if (reading === undefined) continue;
      const value = encodeReading(reading);
      entries.push([key(deviceKey(Prefix.READINGS_BY_DEVICE, reading.deviceId), u64(reading.seq)), value]);
      if (reading.findings.length > 0) {
        const position = key(u64(height), u32(txIndex), u32(reading.index));
        entries.push([key(deviceKey(Prefix.ANOMALIES_BY_DEVICE, reading.deviceId), position), value]);
        entries.push([key(Uint8Array.of(Prefix.ANOMALIES_BY_HEIGHT), position), value]);
      }
    }
  });
  return entries;
}

/** Accepted readings of a device by ascending seq from `from`. */
export async function readingsOf(store: ChainStore, id: string, from: number, limit: number): Promise<ReadingView[]> {
  const prefix = deviceKey(Prefix.READINGS_BY_DEVICE, id);
  const rows = await store.scan(key(prefix, u64(from)), after(prefix), { limit });
  return rows.map(([, v]) => decodeReading(v));
}

/** The device's newest accepted reading. */
export async function lastReadingOf(store: ChainStore, id: string): Promise<ReadingView | undefined> {
  const prefix = deviceKey(Prefix.READINGS_BY_DEVICE, id);
  const [row] = await store.scan(prefix, after(prefix), { limit: 1, reverse: true });
  return row === undefined ? undefined : decodeReading(row[1]);
}

/** A device's flagged readings, newest first. */
export async function anomaliesOf(store: ChainStore, id: string, limit: number): Promise<ReadingView[]> {
  const prefix = deviceKey(Prefix.ANOMALIES_BY_DEVICE, id);
  const rows = await store.scan(prefix, after(prefix), { limit, reverse: true });
  return rows.map(([, v]) => decodeReading(v));
}

/** Flagged readings across the chain by ascending height from `fromHeight`. */
export async function anomaliesFrom(store: ChainStore, fromHeight: number, limit: number): Promise<ReadingView[]> {
  const prefix = Uint8Array.of(Prefix.ANOMALIES_BY_HEIGHT);
  const rows = await store.scan(key(prefix, u64(fromHeight)), after(prefix), { limit });
  return rows.map(([, v]) => decodeReading(v));
}
