import type { Route } from "../router.js";
import { accountRoutes } from "./accounts.js";
import { anomalyRoutes } from "./anomalies.js";
import { blockRoutes } from "./blocks.js";
import type { RouteDeps } from "./deps.js";
import { deviceRoutes } from "./devices.js";
import { inspectRoutes } from "./inspect.js";
import { marketRoutes } from "./market.js";
import { metricsRoutes } from "./metrics.js";
import { profileRoutes } from "./profiles.js";
import { statusRoutes } from "./status.js";
import { txRoutes } from "./txs.js";
import { validatorRoutes } from "./validators.js";

export type { RouteDeps } from "./deps.js";

/** Every route of the API. */
export function apiRoutes(deps: RouteDeps): Route[] {
  return [
    ...statusRoutes(deps),
    ...blockRoutes(deps),
    ...txRoutes(deps),
    ...inspectRoutes(deps),
    ...accountRoutes(deps),
    ...deviceRoutes(deps),
    ...anomalyRoutes(deps),
    ...profileRoutes(deps),
    ...validatorRoutes(deps),
    ...marketRoutes(deps),
    ...metricsRoutes(deps),
  ];
}
