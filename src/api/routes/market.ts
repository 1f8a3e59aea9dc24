import type { Route } from "../router.js";
import { licenceJson, offerJson } from "../views.js";
import type { RouteDeps } from "./deps.js";
import { addressQuery, limitQuery, uintQuery } from "./listParams.js";

export function marketRoutes({ node }: Pick<RouteDeps, "node">): Route[] {
  return [
    {
      method: "GET",
      template: "/v1/market/offers",
      handler: async ({ query }) => {
        const from = uintQuery(query, "from");
        const limit = limitQuery(query);
        const offers = await node.marketOffers({ ...(from !== undefined ? { from } : {}), limit });
        return { status: 200, json: { offers: offers.map(offerJson) } };
      },
    },
    {
      method: "GET",
      template: "/v1/market/licences",
      handler: async ({ query }) => {
        const buyer = addressQuery(query, "buyer");
        return { status: 200, json: { licences: (await node.licences(buyer)).map(licenceJson) } };
      },
    },
  ];
}
