import type { Route } from "../router.js";
import type { RouteDeps } from "./deps.js";

export function metricsRoutes({ metrics }: Pick<RouteDeps, "metrics">): Route[] {
  return [
    {
      method: "GET",
      template: "/metrics",
      handler: async () => {
        const { contentType, text } = await metrics.render();
        return { status: 200, text, contentType };
      },
    },
  ];
}
