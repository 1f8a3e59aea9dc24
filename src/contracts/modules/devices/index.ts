import type { ContractModule } from "../../runtime.js";
import { bind, register, reinstate, revoke, rotateKey, suspend, transfer } from "./methods.js";

export { DeviceErrorCode } from "./errors.js";
export { deviceSigner } from "./signer.js";
export { deviceIdOfAddress, DEVICE_ID_RE, isDeviceId, readDevice, suspendDevice, writeDevice } from "./state.js";
export type { DeviceKind, DeviceRecord, DeviceStatus } from "./types.js";

/** Device identity: registration, binding to bridges, keys, status and ownership. */
export const devicesModule: ContractModule = {
  name: "devices",
  methods: { register, bind, rotateKey, suspend, reinstate, revoke, transfer },
};
