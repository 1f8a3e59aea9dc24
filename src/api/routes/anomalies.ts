import type { Route } from "../router.js";
import { readingJson } from "../views.js";
import type { RouteDeps } from "./deps.js";
import { limitQuery, uintQuery } from "./listParams.js";

export function anomalyRoutes({ node }: Pick<RouteDeps, "node">): Route[] {
  return [
    {
      method: "GET",
      template: "/v1/anomalies",
      handler: async ({ query }) => {
        const fromHeight = uintQuery(query, "fromHeight");
        const limit = limitQuery(query);
        const anomalies = await node.anomalies({ ...(fromHeight !== undefined ? { fromHeight } : {}), limit });
        return { status: 200, json: { anomalies: anomalies.map(readingJson) } };
      },
    },
  ];
}
