// The HTTP API on plain node:http rather than fastify: the API is a handful of routes, and a
// Raspberry Pi bridge has a tight RSS budget, so a framework's memory and start-up cost buys
// nothing here. Routing, body limits and error mapping are the small modules next to this one.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { isAttestaError } from "../errors.js";
import type { AttestationQueries, NodeService } from "../node/types.js";
import { ApiErrorCode, apiError, errorJson, httpStatusOf } from "./apiErrors.js";
import { jsonValue } from "./jsonValue.js";
import { ApiMetrics } from "./metrics.js";
import { defaultApiOptions, type ApiOptions } from "./options.js";
import { Router, type Reply } from "./router.js";
import { apiRoutes } from "./routes/index.js";

export interface ApiServer {
  /** Base URL, e.g. `http://127.0.0.1:7545`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes every connection, keep-alive ones included. Idempotent. */
  stop(): Promise<void>;
}

export interface ApiDeps {
  readonly node: NodeService & AttestationQueries;
  /** The root logger; the server logs through its `child({ module: "api" })`. */
  readonly logger: Logger;
}

function send(res: ServerResponse, reply: Reply): void {
  const text = "json" in reply ? JSON.stringify(reply.json) : reply.text;
  res.statusCode = reply.status;
  res.setHeader("content-type", "json" in reply ? "application/json; charset=utf-8" : reply.contentType);
  res.setHeader("content-length", Buffer.byteLength(text));
  res.end(text);
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export async function startApiServer(options: Partial<ApiOptions>, deps: ApiDeps): Promise<ApiServer> {
  const opts: ApiOptions = { ...defaultApiOptions, ...options };
  const { node } = deps;
  const logger = deps.logger.child({ module: "api" });
  const metrics = new ApiMetrics(node);
  const router = new Router(apiRoutes({ node, metrics, logger, maxBodyBytes: opts.maxBodyBytes }));

  const sendError = (res: ServerResponse, err: unknown, route: string): void => {
    const error = errorJson(err);
    if (isAttestaError(err)) logger.debug({ code: error.code, route }, "request refused");
    else logger.error({ err, route }, "request failed");
    metrics.countError(error.code);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The rest of an oversized body is not drained: the connection goes instead.
    if (error.code === ApiErrorCode.PAYLOAD_TOO_LARGE) res.setHeader("connection", "close");
    send(res, { status: httpStatusOf(error.code), json: { error: { ...error, details: jsonValue(error.details) } } });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const method = req.method ?? "GET";
    let route = "unmatched";
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const match = router.match(method, url.pathname);
      if (match.kind === "notFound") throw apiError(ApiErrorCode.NOT_FOUND, "no such route", { path: url.pathname });
      if (match.kind === "wrongMethod") {
        route = match.template;
        res.setHeader("allow", match.allow.join(", "));
        throw apiError(ApiErrorCode.METHOD_NOT_ALLOWED, "method not allowed", { method, allow: match.allow });
      }
      route = match.route.template;
      send(res, await match.route.handler({ req, params: match.params, query: url.searchParams }));
    } catch (err) {
      sendError(res, err, route);
    } finally {
      metrics.observeRequest(route, method, res.statusCode, (performance.now() - started) / 1000);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, "request handler crashed");
      res.destroy();
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once("error", onError);
    server.listen(opts.port, opts.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (err) => logger.error({ err }, "API server error"));

  const port = (server.address() as AddressInfo).port;
  const url = urlOf(opts.host, port);
  logger.debug({ url }, "API listening");

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        metrics.close(); // unsubscribes from the node
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
