import { checkId, checkUint } from "./argChecks.js";

// Argument tuples of the `readings` module: one reading signed by its device, or a batch
// signed by the bridge the devices are bound to.

/** A reading's values: by name, or as [name, value] pairs (sent sorted by name either way). */
export type ReadingValuesInput = Readonly<Record<string, number>> | ReadonlyArray<readonly [string, number]>;

export interface Reading {
  readonly deviceId: string;
  /** Strictly greater than the device's last accepted seq. */
  readonly seq: number;
  /** Reading time, ms since the epoch; never before the device's last. */
  readonly ts: number;
  readonly values: ReadingValuesInput;
}

export type ReadingValues = Array<[string, number]>;
export type ReadingTuple = [deviceId: string, seq: number, ts: number, values: ReadingValues];

/** Values as `[name, value][]` sorted by name; names unique and non-empty, values finite numbers. */
export function readingValues(values: ReadingValuesInput): ReadingValues {
  if (typeof values !== "object" || values === null) throw new TypeError("values must be an object or a list of [name, value]");
  const pairs: ReadonlyArray<readonly [string, number]> = Array.isArray(values)
    ? (values as ReadonlyArray<readonly [string, number]>)
    : Object.entries(values as Readonly<Record<string, number>>);
  const out: ReadingValues = pairs.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("each value must be [name, number]");
    const [name, value] = pair;
    if (typeof name !== "string" || name === "") throw new TypeError("a metric name must be a non-empty string");
    if (typeof value !== "number") throw new TypeError(`${name} must be a number`);
    if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number`);
    return [name, value];
  });
  out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < out.length; i++) {
    if (out[i]?.[0] === out[i - 1]?.[0]) throw new RangeError(`metric ${out[i]?.[0]} appears twice`);
  }
  return out;
}

/** `readings.submit`: `[deviceId, seq, ts, values]`, signed by the device's own key. */
export function readingArgs(r: Reading): ReadingTuple {
  return [checkId("deviceId", r.deviceId), checkUint("seq", r.seq), checkUint("ts", r.ts), readingValues(r.values)];
}

/** `readings.batch`: `[readings]`, each a `readings.submit` tuple; signed by the bridge's key. */
export function batchArgs(readings: readonly Reading[]): [ReadingTuple[]] {
  if (!Array.isArray(readings)) throw new TypeError("readings must be a list");
  return [readings.map(readingArgs)];
}
