export { readingsModule, inspectReading, MAX_BATCH_READINGS, MAX_READING_SKEW_MS, MAX_READING_VALUES, MAX_METRIC_NAME_LENGTH, pushAnomaly, type ReadingArgs, type BatchArgs } from "./methods.js";
export * from "./evaluate.js";
export * from "./findings.js";
export { readingStateKey, readReadingState, writeReadingState } from "./state.js";
