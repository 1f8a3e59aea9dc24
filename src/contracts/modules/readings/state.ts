import { decodeTrusted, encode } from "../../../ledger/codec.js";
import { ModuleId, nameKey } from "../../moduleIds.js";
import { readState, StateCodec, type StateOverlay, type StateView } from "../../state.js";
import { EMPTY_READING_STATE, readingStateTuple, readReadingStateTuple, type DeviceReadingState } from "./evaluate.js";

const NO_PREFIX: readonly number[] = [];

/** Where a device's reading state lives: `READINGS ‖ utf8(deviceId)`. */
export function readingStateKey(deviceId: string): Uint8Array {
  return nameKey(ModuleId.READINGS, NO_PREFIX, deviceId);
}

/**
 * Reading states: decoded once per stored byte array, encoded only when their bytes are needed.
 * Sound (see StateCodec) because a state's numbers are finite or NaN, never -0, so it is exactly
 * what decoding its encoding gives.
 */
const READING_STATE = new StateCodec<DeviceReadingState>(
  (s) => encode(readingStateTuple(s)),
  (bytes) => readReadingStateTuple(decodeTrusted(bytes)),
);

/** The device's reading state (the empty state before its first accepted reading). */
export function readReadingState(state: StateView, deviceId: string): DeviceReadingState {
  return readState(state, readingStateKey(deviceId), READING_STATE) ?? EMPTY_READING_STATE;
}

export function writeReadingState(state: StateOverlay, deviceId: string, s: DeviceReadingState): void {
  state.put(readingStateKey(deviceId), s, READING_STATE);
}
