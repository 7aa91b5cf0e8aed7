import type { MiddlewareHandler } from "hono";
import { describeRoute, resolver } from "hono-openapi";
import type * as v from "valibot";
import { ERROR_STATUS, ErrorResponse, type ErrorCode } from "../../protocol";

/** A success status and its body's schema; `null` for an answer without a body (204, 101). */
export type Answers = Partial<Record<200 | 201 | 101 | 204 | 206, v.GenericSchema | null>>;

export interface RouteDoc {
  summary: string;
  /** The group in the API reference. */
  tag: string;
  description?: string;
  /** What the route answers when it succeeds. */
  answers: Answers;
  /** Error codes worth naming for this route; every route may also answer 400, 401, 413 and 500. */
  errors?: ErrorCode[];
  /** An example body per success status; the tests check each against its schema. */
  examples?: Partial<Record<keyof Answers, unknown>>;
  /** Signup and login need no token. */
  public?: true;
}

/** Where the tests find a route's answer schemas (hono-openapi keeps only JSON Schema). */
export const ROUTE_DOC = Symbol("route-doc");

const DESCRIPTION: Record<number, string> = { 101: "Switching Protocols: the socket is open", 200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content" };

/**
 * Documents a route in /api/openapi.json, beside the route:
 * `.get("/", doc({ tag, summary, answers: { 200: UserResponse } }), handler)`.
 * Bodies, queries and parameters are documented by `validate()`.
 */
export function doc(route: RouteDoc): MiddlewareHandler {
  const responses: ResponsesWithResolver = {};
  for (const [status, schema] of Object.entries(route.answers) as [string, v.GenericSchema | null][]) {
    const description = DESCRIPTION[Number(status)] ?? status;
    const example = route.examples?.[Number(status) as keyof Answers];
    responses[status] = schema ? { description, content: { "application/json": { schema: resolver(schema), ...(example === undefined ? {} : { example }) } } } : { description };
  }
  const codesByStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set<ErrorCode>([...(route.public ? [] : (["unauthorized"] as const)), "bad_request", ...(route.errors ?? [])])) {
    codesByStatus.set(ERROR_STATUS[code], [...(codesByStatus.get(ERROR_STATUS[code]) ?? []), code]);
  }
  for (const [status, codes] of codesByStatus) {
    responses[String(status)] = { description: `error ${codes.map((c) => `\`${c}\``).join(", ")}`, content: { "application/json": { schema: resolver(ErrorResponse) } } };
  }
  const middleware = describeRoute({
    summary: route.summary,
    tags: [route.tag],
    ...(route.description ? { description: route.description } : {}),
    ...(route.public ? { security: [] } : {}),
    responses,
  });
  return Object.assign(middleware, { [ROUTE_DOC]: route });
}

type ResponsesWithResolver = NonNullable<Parameters<typeof describeRoute>[0]["responses"]>;
