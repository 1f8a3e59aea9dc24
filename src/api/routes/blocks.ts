import { ApiErrorCode, apiError } from "../apiErrors.js";
import { blockIdParam, flagParam } from "../params.js";
import type { Route } from "../router.js";
import { blockJson } from "../views.js";
import type { RouteDeps } from "./deps.js";

export function blockRoutes({ node }: Pick<RouteDeps, "node">): Route[] {
  return [
    {
      method: "GET",
      template: "/v1/blocks/:id",
      handler: async ({ params, query }) => {
        const id = blockIdParam(params.id ?? "");
        const withTxs = flagParam(query, "txs");
        const stored =
          "hash" in id ? await node.blockByHash(id.hash) : await node.blockByHeight("height" in id ? id.height : node.status().height);
        if (stored === undefined) throw apiError(ApiErrorCode.NOT_FOUND, "no such block", { block: params.id });
        return { status: 200, json: blockJson(stored, withTxs) };
      },
    },
  ];
}
