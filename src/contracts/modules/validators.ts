// The validators module: the set in force, its scheduled changes and the votes that decide
// them (files under ./validators/). Everything that imported this file keeps working.
export * from "./validators/set.js";
export * from "./validators/schedule.js";
export * from "./validators/votes.js";
export * from "./validators/errors.js";
export { validatorsModule, type VoteArgs } from "./validators/vote.js";
export * from "./validators/jail.js";
export { EVIDENCE_MAX_AGE } from "./validators/evidence.js";
