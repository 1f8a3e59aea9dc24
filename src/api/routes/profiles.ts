import { ApiErrorCode, apiError } from "../apiErrors.js";
import type { Route } from "../router.js";
import { profileJson } from "../views.js";
import type { RouteDeps } from "./deps.js";
import { profileIdParam, uintQuery } from "./listParams.js";

export function profileRoutes({ node }: Pick<RouteDeps, "node">): Route[] {
  return [
    {
      method: "GET",
      template: "/v1/profiles/:id",
      handler: async ({ params, query }) => {
        const id = profileIdParam(params.id);
        const version = uintQuery(query, "version", 1);
        const profile = await node.profile(id, version);
        if (profile === undefined) {
          throw apiError(ApiErrorCode.NOT_FOUND, "unknown profile or version", { profile: id, ...(version !== undefined ? { version } : {}) });
        }
        return { status: 200, json: profileJson(profile) };
      },
    },
  ];
}
