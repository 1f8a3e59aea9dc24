import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { NodeService } from "../node/types.js";
import { codeLabel } from "./apiErrors.js";

const METHODS = new Set(["GET", "POST", "HEAD"]);

/**
 * The API's Prometheus metrics, in a Registry of their own (never prom-client's global one, so
 * two servers in one process, as in tests, do not collide). Labels take values from closed
 * sets only: route templates, methods, status codes, error codes.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"route" | "method" | "status">;
  private readonly duration: Histogram<"route">;
  private readonly errors: Counter<"code">;

  constructor(node: Pick<NodeService, "status">) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "attesta_http_requests_total",
      help: "HTTP requests by route template, method and status",
      labelNames: ["route", "method", "status"],
      registers,
    });
    this.duration = new Histogram({
      name: "attesta_http_request_duration_seconds",
      help: "HTTP request duration by route template",
      labelNames: ["route"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.errors = new Counter({
      name: "attesta_api_errors_total",
      help: "Errors answered by the API, by code (batch items included)",
      labelNames: ["code"],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    gauge("attesta_chain_height", "Height of the head block", () => node.status().height);
    gauge("attesta_chain_finalized_height", "Height of the last finalized block", () => node.status().finalizedHeight);
    gauge("attesta_mempool_txs", "Transactions in the mempool", () => node.status().mempool.count);
    gauge("attesta_mempool_bytes", "Bytes of transactions in the mempool", () => node.status().mempool.bytes);
    // Process metrics (RSS, heap, event-loop lag): what an operator watches on a Pi.
    collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method: METHODS.has(method) ? method : "OTHER", status: String(status) });
    this.duration.observe({ route }, seconds);
  }

  countError(code: string): void {
    this.errors.inc({ code: codeLabel(code) });
  }

  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
