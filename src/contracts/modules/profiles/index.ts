import type { ContractModule } from "../../runtime.js";
import { assign, publish } from "./methods.js";

export type { MetricSpec, ProfileSpec, ProfileVersion } from "./spec.js";
export { PROFILE_ID_RE, profileInForce, readProfile, readSpec, specTuple } from "./state.js";
export { MAX_SPEC_BYTES, parseProfileSpec, ProfileErrorCode, profileSpecToJson, validateProfileSpec } from "./validate.js";

/** Behaviour profiles: versioned specs published by admins, assigned to devices by their owners. */
export const profilesModule: ContractModule = { name: "profiles", methods: { publish, assign } };
