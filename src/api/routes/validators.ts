import type { Route } from "../router.js";
import { validatorsJson } from "../views.js";
import type { RouteDeps } from "./deps.js";

export function validatorRoutes({ node }: Pick<RouteDeps, "node">): Route[] {
  return [{ method: "GET", template: "/v1/validators", handler: async () => ({ status: 200, json: validatorsJson(await node.validators()) }) }];
}
