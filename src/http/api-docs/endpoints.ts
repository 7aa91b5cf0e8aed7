import type { Hono } from "hono";
import { findTargetHandler } from "hono/utils/handler";
import { ROUTE_DOC, type RouteDoc } from "./route-doc";

/** One endpoint of the app (a method and a path) and its `doc()`, if it has one. */
export interface Endpoint {
  method: string;
  path: string;
  doc?: RouteDoc;
}

/**
 * Every endpoint of a Hono app, from its route table: entries for "ALL" are
 * middleware (`use`), every other entry belongs to an endpoint.
 */
export function endpointsOf(app: Hono<any, any, any>): Endpoint[] {
  const byKey = new Map<string, Endpoint>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const key = `${route.method} ${route.path}`;
    const endpoint = byKey.get(key) ?? { method: route.method, path: route.path };
    const doc = (findTargetHandler(route.handler) as { [ROUTE_DOC]?: RouteDoc })[ROUTE_DOC];
    if (doc) endpoint.doc = doc;
    byKey.set(key, endpoint);
  }
  return [...byKey.values()];
}

/** Whether a concrete path (`/api/channels/g_x/messages`) is an endpoint's pattern (`/api/channels/:id/messages`). */
export function pathMatches(pattern: string, path: string): boolean {
  const p = pattern.split("/");
  const q = path.split("/");
  return p.length === q.length && p.every((seg, i) => seg.startsWith(":") ? q[i] !== "" : seg === q[i]);
}
