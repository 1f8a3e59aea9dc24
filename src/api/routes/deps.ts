import type { Logger } from "pino";
import type { AttestationQueries, NodeService } from "../../node/types.js";
import type { ApiMetrics } from "../metrics.js";

/** What the route handlers use. */
export interface RouteDeps {
  readonly node: NodeService & AttestationQueries;
  readonly metrics: ApiMetrics;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
}
