import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../env";
import { asyncApiDocument } from "./asyncapi-document";
import { openApiDocument } from "./openapi-document";
import { doc } from "./route-doc";

const OpenApiDocument = v.looseObject({ openapi: v.literal("3.1.0"), info: v.looseObject({ title: v.string() }), paths: v.record(v.string(), v.unknown()) });
const AsyncApiDocument = v.looseObject({ asyncapi: v.literal("3.0.0"), channels: v.record(v.string(), v.unknown()) });

/**
 * The reference page loads Scalar's script from its CDN and starts it with an
 * inline script; this page alone may do so (the web app's CSP stays strict).
 */
const REFERENCE_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** `/api/openapi.json`, `/api/asyncapi.json` and the API reference page `/api/docs`, for the app `documented()` returns. */
export function referenceRoutes(documented: () => Hono<any, any, any>) {
  let openapi: ReturnType<typeof openApiDocument> | undefined;
  const asyncapi = asyncApiDocument();
  return new Hono<AppEnv>()
    .get("/openapi.json", doc({ tag: "Reference", summary: "This API as OpenAPI 3.1", answers: { 200: OpenApiDocument }, public: true }), async (c) => c.json(await (openapi ??= openApiDocument(documented()))))
    .get("/asyncapi.json", doc({ tag: "Reference", summary: "The two socket streams as AsyncAPI 3", answers: { 200: AsyncApiDocument }, public: true }), (c) => c.json(asyncapi))
    .get(
      "/docs",
      doc({ tag: "Reference", summary: "The API reference page (HTML)", answers: { 200: null }, public: true }),
      async (c, next) => {
        await next();
        c.header("Content-Security-Policy", REFERENCE_CSP);
      },
      Scalar({ url: "/api/openapi.json", pageTitle: "edge-chat API", withDefaultFonts: false, telemetry: false, hideClientButton: false }),
    );
}
