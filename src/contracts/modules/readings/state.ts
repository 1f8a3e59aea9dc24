import { utf8 } from "../../../crypto/bytes.js";
import { decodeTrusted, encode } from "../../../ledger/codec.js";
import { ModuleId, stateKey } from "../../moduleIds.js";
import type { StateOverlay, StateReader } from "../../state.js";
import { EMPTY_READING_STATE, readingStateTuple, readReadingStateTuple, type DeviceReadingState } from "./evaluate.js";

/** Where a device's reading state lives: `READINGS ‖ utf8(deviceId)`. */
export function readingStateKey(deviceId: string): Uint8Array {
  // Device ids are ASCII ([a-z0-9._:-]): copy the char codes, no TextEncoder on the hot path.
  const key = new Uint8Array(1 + deviceId.length);
  key[0] = ModuleId.READINGS;
  for (let i = 0; i < deviceId.length; i++) {
    const c = deviceId.charCodeAt(i);
    if (c >= 0x80) return stateKey(ModuleId.READINGS, utf8(deviceId));
    key[i + 1] = c;
  }
  return key;
}

/**
 * Reading states by the encoded bytes they were written as. The state overlay and the node's
 * state cache hand back the very byte arrays written, so a device's next reading (in this
 * block or a later one) skips the decode. Sound because the value is exactly what decoding
 * those bytes gives (its numbers are finite or NaN, never -0) and is never mutated.
 */
const decoded = new WeakMap<Uint8Array, DeviceReadingState>();

/** The device's reading state (the empty state before its first accepted reading). */
export async function readReadingState(state: StateReader, deviceId: string): Promise<DeviceReadingState> {
  const bytes = await state.get(readingStateKey(deviceId));
  if (bytes === undefined) return EMPTY_READING_STATE;
  let value = decoded.get(bytes);
  if (value === undefined) {
    value = readReadingStateTuple(decodeTrusted(bytes));
    decoded.set(bytes, value);
  }
  return value;
}

export function writeReadingState(state: StateOverlay, deviceId: string, s: DeviceReadingState): void {
  const bytes = encode(readingStateTuple(s));
  decoded.set(bytes, s);
  state.set(readingStateKey(deviceId), bytes);
}
