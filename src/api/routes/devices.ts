import { ApiErrorCode, apiError } from "../apiErrors.js";
import type { Route } from "../router.js";
import { deviceJson, readingJson } from "../views.js";
import type { RouteDeps } from "./deps.js";
import { deviceIdParam, limitQuery, uintQuery } from "./listParams.js";

export function deviceRoutes({ node }: Pick<RouteDeps, "node">): Route[] {
  /** The id of a device the node knows; NOT_FOUND otherwise. */
  const knownDevice = async (value: string | undefined) => {
    const id = deviceIdParam(value);
    const view = await node.device(id);
    if (view === undefined) throw apiError(ApiErrorCode.NOT_FOUND, "unknown device", { device: id });
    return view;
  };

  return [
    {
      method: "GET",
      template: "/v1/devices/:id",
      handler: async ({ params }) => ({ status: 200, json: deviceJson(await knownDevice(params.id)) }),
    },
    {
      method: "GET",
      template: "/v1/devices/:id/readings",
      handler: async ({ params, query }) => {
        const from = uintQuery(query, "from");
        const limit = limitQuery(query);
        const { record } = await knownDevice(params.id);
        const readings = await node.deviceReadings(record.id, { ...(from !== undefined ? { from } : {}), limit });
        return { status: 200, json: { readings: readings.map(readingJson) } };
      },
    },
    {
      method: "GET",
      template: "/v1/devices/:id/anomalies",
      handler: async ({ params, query }) => {
        const limit = limitQuery(query);
        const { record } = await knownDevice(params.id);
        return { status: 200, json: { anomalies: (await node.deviceAnomalies(record.id, { limit })).map(readingJson) } };
      },
    },
  ];
}
