// The documents the running service publishes are valid by the standard
// validators: OpenAPI 3.1 (@readme/openapi-parser) and AsyncAPI 3
// (@asyncapi/parser). They run here under Node: both compile JSON Schemas to
// code, which the Workers runtime does not allow.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Parser } from "@asyncapi/parser";
import { validate } from "@readme/openapi-parser";
import { startService } from "./helpers/service.mjs";

describe("published API documents", { timeout: 300_000 }, () => {
  let service;
  before(async () => {
    service = await startService();
  });
  after(async () => {
    await service?.stop();
  });

  const get = async (path) => {
    const res = await fetch(`${service.baseUrl}${path}`);
    assert.equal(res.status, 200);
    return res.json();
  };

  test("/api/openapi.json is valid OpenAPI 3.1", async () => {
    const doc = await get("/api/openapi.json");
    assert.equal(doc.openapi, "3.1.0");
    const result = await validate(structuredClone(doc));
    assert.equal(result.valid, true, JSON.stringify(result.errors ?? [], null, 1).slice(0, 4000));
    assert.ok(Object.keys(doc.paths).length > 20);
  });

  test("/api/asyncapi.json is valid AsyncAPI 3", async () => {
    const doc = await get("/api/asyncapi.json");
    const { document, diagnostics } = await new Parser().parse(doc);
    const errors = diagnostics.filter((d) => d.severity === 0);
    assert.deepEqual(errors.map((d) => `${d.path.join(".")}: ${d.message}`), []);
    assert.ok(document, "the parser gave a document");
    assert.deepEqual(document.channels().all().map((c) => c.address()).sort(), ["/channels/{channelId}/socket", "/inbox/socket"]);
  });
});
