import { isDeviceId } from "../contracts/modules/devices/state.js";
import { MAX_METRIC_NAME_LENGTH, MAX_READING_VALUES, inspectReading } from "../contracts/modules/readings/methods.js";
import { readReadingState } from "../contracts/modules/readings/state.js";
import { query, type StateReader } from "../contracts/state.js";
import { AttestaError } from "../errors.js";
import { TxErrorCode } from "../ledger/txErrors.js";
import type { InspectEnv } from "./pipeline.js";
import { InspectStage, readingVerdictOf, verdictOfReadings, type Verdict } from "./verdict.js";

/** A reading to inspect without a transaction: the device, its values by metric name, and its time (ms). */
export interface BareReading {
  readonly deviceId: string;
  readonly values: Readonly<Record<string, number>>;
  readonly ts: number;
}

function malformed(field: string, message: string): never {
  throw new AttestaError(TxErrorCode.MALFORMED, message, { field });
}

/**
 * Would this reading pass? Checks it as the readings contract would check the device's next
 * reading (the next seq) at `env`: device known, not suspended or revoked, a profile version in
 * force, `ts` in order and not in the future, then the profile's hard and soft checks against
 * the device's reading state. No signature, fee or nonce is involved and nothing is written.
 * Throws MALFORMED for a reading that could not be encoded at all.
 */
export async function inspectBareReading(state: StateReader, env: InspectEnv, reading: BareReading): Promise<Verdict> {
  if (!isDeviceId(reading.deviceId)) malformed("deviceId", "deviceId: expected 1-64 characters of [a-z0-9._:-]");
  if (!Number.isSafeInteger(reading.ts) || reading.ts < 0) malformed("ts", "ts: expected a time in ms");
  const names = Object.keys(reading.values).sort();
  if (names.length > MAX_READING_VALUES) malformed("values", `values: at most ${MAX_READING_VALUES} metrics`);
  const values = names.map((name): readonly [string, number] => {
    const value = reading.values[name];
    if (name.length === 0 || name.length > MAX_METRIC_NAME_LENGTH) malformed("values", `values: metric names of 1-${MAX_METRIC_NAME_LENGTH} characters`);
    if (typeof value !== "number") malformed(`values.${name}`, "values: expected numbers");
    return [name, value];
  });
  const event = await query(state, (view) => {
    const prior = readReadingState(view, reading.deviceId);
    return inspectReading(view, env, { deviceId: reading.deviceId, seq: prior.lastSeq + 1, ts: reading.ts, values });
  });
  return verdictOfReadings([readingVerdictOf(event)], InspectStage.DRY_RUN);
}
