import { addressParam } from "../params.js";
import type { Route } from "../router.js";
import { accountJson } from "../views.js";
import type { RouteDeps } from "./deps.js";

export function accountRoutes({ node }: Pick<RouteDeps, "node">): Route[] {
  return [
    {
      method: "GET",
      template: "/v1/accounts/:address",
      handler: async ({ params }) => ({ status: 200, json: accountJson(await node.account(addressParam("address", params.address ?? ""))) }),
    },
  ];
}
