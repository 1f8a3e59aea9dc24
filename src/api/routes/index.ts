import type { Route } from "../router.js";
import { accountRoutes } from "./accounts.js";
import { blockRoutes } from "./blocks.js";
import type { RouteDeps } from "./deps.js";
import { metricsRoutes } from "./metrics.js";
import { statusRoutes } from "./status.js";
import { txRoutes } from "./txs.js";

export type { RouteDeps } from "./deps.js";

/** Every route of the API. */
export function apiRoutes(deps: RouteDeps): Route[] {
  return [...statusRoutes(deps), ...blockRoutes(deps), ...txRoutes(deps), ...accountRoutes(deps), ...metricsRoutes(deps)];
}
