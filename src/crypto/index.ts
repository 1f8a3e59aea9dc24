export * from "./bytes.js";
export * from "./hash.js";
export * from "./keyTypes.js";
export * from "./address.js";
export * from "./payload.js";
export * from "./keys.js";
export * from "./verify.js";
export { isLowS, normaliseS } from "./ecdsa.js";
export * from "./keyFile.js";
