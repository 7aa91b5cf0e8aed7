import type { Hono } from "hono";
import { generateSpecs } from "hono-openapi";

/**
 * The OpenAPI 3.1 document of the app, generated from its routes: `doc()`
 * beside each route names its answers, `validate()` its inputs; every schema
 * comes from src/protocol/.
 */
export function openApiDocument(app: Hono<any, any, any>) {
  return generateSpecs(app, {
    documentation: {
      openapi: "3.1.0",
      info: {
        title: "edge-chat API",
        version: "1",
        description:
          "The HTTP API of edge-chat. The two WebSocket streams are in /api/asyncapi.json; the whole contract, with the rules behind every answer, is docs/protocol.md in the repository.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A session token from signup or login" } } },
      security: [{ bearer: [] }],
    },
    // Our validation errors are `{error: {code, message}}`, which doc() declares.
    defaultValidationErrorResponse: false,
    // Else /api/openapi.json itself, ending in ".json", would count as a static file and be left out.
    excludeStaticFile: false,
  });
}
