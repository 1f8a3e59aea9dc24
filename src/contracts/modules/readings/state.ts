import { utf8 } from "../../../crypto/bytes.js";
import { decodeTrusted, encode } from "../../../ledger/codec.js";
import { ModuleId, stateKey } from "../../moduleIds.js";
import type { StateOverlay, StateReader } from "../../state.js";
import { EMPTY_READING_STATE, readingStateTuple, readReadingStateTuple, type DeviceReadingState } from "./evaluate.js";

/** Where a device's reading state lives: `READINGS ‖ utf8(deviceId)`. */
export function readingStateKey(deviceId: string): Uint8Array {
  return stateKey(ModuleId.READINGS, utf8(deviceId));
}

/** The device's reading state (the empty state before its first accepted reading). */
export async function readReadingState(state: StateReader, deviceId: string): Promise<DeviceReadingState> {
  const bytes = await state.get(readingStateKey(deviceId));
  return bytes === undefined ? EMPTY_READING_STATE : readReadingStateTuple(decodeTrusted(bytes));
}

export function writeReadingState(state: StateOverlay, deviceId: string, s: DeviceReadingState): void {
  state.set(readingStateKey(deviceId), encode(readingStateTuple(s)));
}
