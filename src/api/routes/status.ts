import type { Route } from "../router.js";
import { statusJson } from "../views.js";
import type { RouteDeps } from "./deps.js";

export function statusRoutes({ node }: Pick<RouteDeps, "node">): Route[] {
  return [{ method: "GET", template: "/v1/status", handler: async () => ({ status: 200, json: statusJson(node.status()) }) }];
}
