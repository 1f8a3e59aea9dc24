import { accountSigner, accountsModule } from "./modules/accounts.js";
import { accessModule } from "./modules/access.js";
import { devicesModule } from "./modules/devices/index.js";
import { profilesModule } from "./modules/profiles/index.js";
import { readingsModule } from "./modules/readings/index.js";
import { marketModule } from "./modules/market/index.js";
import { validatorsModule } from "./modules/validators.js";
import { ContractRegistry } from "./runtime.js";

export * from "./errors.js";
export * from "./params.js";
export * from "./runtime.js";
export * from "./state.js";
export * from "./validity.js";
export * from "./executeBlock.js";
export * from "./genesis.js";
export { readAccount, accountSigner, type Account } from "./modules/accounts.js";
export * from "./modules/validators.js";
export * from "./modules/access.js";

/** The contract modules of the chain, in one registry. */
export function createRegistry(): ContractRegistry {
  return new ContractRegistry([accountsModule, accessModule, devicesModule, profilesModule, readingsModule, validatorsModule, marketModule], accountSigner);
}
