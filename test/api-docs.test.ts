import { SELF } from "cloudflare:test";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { endpointsOf } from "../src/http/api-docs/endpoints";
import { ChannelClientFrame, ChannelServerFrame, InboxClientFrame, InboxServerFrame } from "../src/protocol";
import { app } from "../src/worker";
import { api } from "./helpers/http";

const endpoints = endpointsOf(app);
const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

describe("OpenAPI document", () => {
  it("documents every route of the app, each with a doc() beside it", async () => {
    const undocumented = endpoints.filter((e) => !e.doc).map((e) => `${e.method} ${e.path}`);
    expect(undocumented, "routes without doc(): add doc({ tag, summary, answers }) beside each").toEqual([]);
    const { status, body } = await api("GET", "/openapi.json");
    expect(status).toBe(200);
    const missing = endpoints.filter((e) => !body.paths[openApiPath(e.path)]?.[e.method.toLowerCase()]).map((e) => `${e.method} ${e.path}`);
    expect(missing).toEqual([]);
    expect(endpoints.length).toBeGreaterThan(25);
  });

  it("describes each route's inputs and answers from the protocol schemas", async () => {
    const { body } = await api("GET", "/openapi.json");
    expect(body.openapi).toBe("3.1.0");
    const send = body.paths["/api/channels/{id}/messages"].post;
    expect(send.requestBody.content["application/json"].schema.required).toEqual(expect.arrayContaining(["clientMsgId", "body"]));
    expect(send.responses["201"].content["application/json"].schema.properties.message.required).toEqual(expect.arrayContaining(["id", "seq", "channelId"]));
    expect(send.responses["429"].description).toContain("rate_limited");
    expect(send.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: "id", in: "path" })]));
    const history = body.paths["/api/channels/{id}/messages"].get;
    expect(history.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["after", "before", "limit"]));
    expect(body.paths["/api/auth/signup"].post.security).toEqual([]);
    expect(body.security).toEqual([{ bearer: [] }]);
  });

  it("has examples that validate against their route's schema", async () => {
    let checked = 0;
    for (const e of endpoints) {
      for (const [status, example] of Object.entries(e.doc?.examples ?? {})) {
        const schema = e.doc!.answers[Number(status) as keyof NonNullable<typeof e.doc>["answers"]];
        expect(schema, `${e.method} ${e.path}: example for undocumented status ${status}`).toBeTruthy();
        const parsed = v.safeParse(schema!, example);
        expect(parsed.success, `${e.method} ${e.path} ${status}: ${parsed.issues ? v.summarize(parsed.issues) : ""}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    const { body } = await api("GET", "/openapi.json");
    expect(body.paths["/api/auth/signup"].post.responses["201"].content["application/json"].example.user.handle).toBe("alice");
  });
});

describe("AsyncAPI document", () => {
  it("lists every frame of both streams, in both directions, from the frame schemas", async () => {
    const { status, body } = await api("GET", "/asyncapi.json");
    expect(status).toBe(200);
    expect(body.asyncapi).toBe("3.0.0");
    const names = (channel: string, side: string) =>
      Object.keys(body.channels[channel].messages)
        .filter((k) => k.startsWith(`${side}-`))
        .map((k) => k.slice(side.length + 1))
        .sort();
    const types = (variant: { options: { entries: { type: { literal: string } } }[] }) => variant.options.map((o) => o.entries.type.literal).sort();
    expect(names("channel", "server")).toEqual(types(ChannelServerFrame));
    expect(names("channel", "client")).toEqual(types(ChannelClientFrame));
    expect(names("inbox", "server")).toEqual(types(InboxServerFrame));
    expect(names("inbox", "client")).toEqual(types(InboxClientFrame));
    const send = body.channels.channel.messages["client-send"].payload;
    expect(send.required).toEqual(expect.arrayContaining(["type", "clientMsgId", "body"]));
    expect(body.operations.channelServerFrames.action).toBe("send");
  });
});

describe("API reference page", () => {
  it("serves /api/docs over /api/openapi.json with a CSP of its own", async () => {
    const res = await SELF.fetch("http://localhost/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(await res.text()).toContain("/api/openapi.json");
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
  });
});
