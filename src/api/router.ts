import type { IncomingMessage } from "node:http";
import type { Json } from "./jsonValue.js";

export type HttpMethod = "GET" | "POST";

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

/** What a handler answers: JSON, or a text body with its own content type (metrics). */
export type Reply =
  | { readonly status: number; readonly json: Json | object }
  | { readonly status: number; readonly text: string; readonly contentType: string };

export type RouteHandler = (ctx: RouteContext) => Promise<Reply>;

export interface Route {
  readonly method: HttpMethod;
  /** Path template, e.g. `/v1/blocks/:id`; also the `route` label of the request metrics. */
  readonly template: string;
  readonly handler: RouteHandler;
}

export type RouteMatch =
  | { readonly kind: "found"; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: "wrongMethod"; readonly allow: readonly string[]; readonly template: string }
  | { readonly kind: "notFound" };

function segments(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed.split("/").slice(1);
}

/** Matches a decoded path segment by segment; `:name` segments capture one segment each. */
function matchTemplate(template: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  if (template.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string;
    const p = path[i] as string;
    if (t.startsWith(":")) {
      if (p === "") return undefined;
      params[t.slice(1)] = p;
    } else if (t !== p) {
      return undefined;
    }
  }
  return params;
}

/** A fixed table of routes; HEAD is answered by GET routes (node:http sends no body). */
export class Router {
  private readonly compiled: readonly { route: Route; parts: string[] }[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => ({ route, parts: segments(route.template) }));
  }

  match(method: string, pathname: string): RouteMatch {
    let parts: string[];
    try {
      parts = segments(pathname).map((p) => decodeURIComponent(p));
    } catch {
      return { kind: "notFound" };
    }
    const wanted = method === "HEAD" ? "GET" : method;
    const allow: string[] = [];
    let template: string | undefined;
    for (const { route, parts: t } of this.compiled) {
      const params = matchTemplate(t, parts);
      if (params === undefined) continue;
      if (route.method === wanted) return { kind: "found", route, params };
      allow.push(route.method);
      template ??= route.template;
    }
    return template === undefined ? { kind: "notFound" } : { kind: "wrongMethod", allow, template };
  }
}
