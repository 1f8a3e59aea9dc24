import { isAttestaError } from "../../errors.js";
import { IntegrityErrorCode } from "../../node/types.js";
import { ApiErrorCode, apiError, errorJson } from "../apiErrors.js";
import type { Route } from "../router.js";
import { deviceIntegrityJson, deviceJson, readingJson } from "../views.js";
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
      template: "/v1/devices/:id/integrity",
      handler: async ({ params }) => {
        const id = deviceIdParam(params.id);
        try {
          const view = await node.deviceIntegrity(id);
          if (view === undefined) throw apiError(ApiErrorCode.NOT_FOUND, "unknown device", { device: id });
          return { status: 200, json: deviceIntegrityJson(view) };
        } catch (err) {
          // Not final yet is a moment, not a bad request: 503, ask again after the next block.
          if (isAttestaError(err) && err.code === IntegrityErrorCode.NOT_FINALIZED) return { status: 503, json: { error: errorJson(err) } };
          throw err;
        }
      },
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
