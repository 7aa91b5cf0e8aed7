import { toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { ChannelClientFrame, ChannelServerFrame, DeviceSchema, InboxClientFrame, InboxServerFrame, PING_FRAME, SOCKET_PROTOCOL } from "../../protocol";

type FrameVariant = v.VariantSchema<"type", v.ObjectSchema<{ type: v.LiteralSchema<string, undefined> } & v.ObjectEntries, undefined>[], undefined>;

/** JSON Schema of a valibot schema; checks JSON Schema cannot say are left to docs/protocol.md. */
function jsonSchema(schema: v.GenericSchema): Record<string, unknown> {
  const { $schema: _, ...rest } = toJsonSchema(schema, { errorMode: "ignore" }) as Record<string, unknown>;
  return rest;
}

/** One AsyncAPI message per frame type of a stream direction, keyed `server-welcome`, `client-send`, ... */
function framesOf(side: "server" | "client", variant: FrameVariant) {
  const messages: Record<string, object> = {};
  for (const option of variant.options) {
    const type = option.entries.type.literal;
    messages[`${side}-${type}`] = { name: type, title: `${type} (${side === "server" ? "server to client" : "client to server"})`, payload: jsonSchema(option) };
  }
  return messages;
}

function stream(address: string, description: string, server: FrameVariant, client: FrameVariant) {
  return {
    address,
    description,
    messages: { ...framesOf("server", server), ...framesOf("client", client) },
    bindings: { ws: { method: "GET", query: { type: "object", properties: { device: jsonSchema(DeviceSchema) }, required: ["device"] }, bindingVersion: "0.1.0" } },
  };
}

function operation(channel: string, action: "send" | "receive", messages: Record<string, object>, side: "server" | "client", summary: string) {
  return {
    action,
    summary,
    channel: { $ref: `#/channels/${channel}` },
    messages: Object.keys(messages)
      .filter((k) => k.startsWith(`${side}-`))
      .map((k) => ({ $ref: `#/channels/${channel}/messages/${k}` })),
  };
}

/**
 * The AsyncAPI 3 document of the two socket streams, generated from the
 * same frame schemas the objects decode and the SDK validates. It describes
 * the service: it sends server frames and receives client frames.
 */
export function asyncApiDocument() {
  const channel = stream(
    "/channels/{channelId}/socket",
    "One socket per open channel per device, held by the channel's ChannelRoom. The first frame is `welcome`.",
    ChannelServerFrame as unknown as FrameVariant,
    ChannelClientFrame as unknown as FrameVariant,
  );
  const inbox = stream(
    "/inbox/socket",
    "One socket per device, held by the user's UserHub: summaries, presence and channel changes for every channel. The first frame is `welcome`.",
    InboxServerFrame as unknown as FrameVariant,
    InboxClientFrame as unknown as FrameVariant,
  );
  return {
    asyncapi: "3.0.0",
    info: {
      title: "edge-chat sockets",
      version: "1",
      description: `The channel and inbox WebSocket streams. Offer the subprotocol \`${SOCKET_PROTOCOL}\`; \`${PING_FRAME}\`, these exact bytes, is answered without waking the object. Close codes, limits and rules: docs/protocol.md in the repository; the HTTP API: /api/openapi.json.`,
    },
    defaultContentType: "application/json",
    servers: {
      service: {
        host: "{host}",
        protocol: "wss",
        pathname: "/api",
        variables: { host: { default: "localhost:8787", description: "where the Worker runs (ws:// locally)" } },
        security: [{ $ref: "#/components/securitySchemes/bearer" }],
      },
    },
    channels: {
      channel: { ...channel, parameters: { channelId: { description: "A channel id from /api/channels or /api/dms" } } },
      inbox,
    },
    operations: {
      channelServerFrames: operation("channel", "send", channel.messages, "server", "Frames the channel stream sends"),
      channelClientFrames: operation("channel", "receive", channel.messages, "client", "Frames the channel stream accepts"),
      inboxServerFrames: operation("inbox", "send", inbox.messages, "server", "Frames the inbox stream sends"),
      inboxClientFrames: operation("inbox", "receive", inbox.messages, "client", "Frames the inbox stream accepts"),
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: `A session token: \`Authorization: Bearer <token>\`, or (browsers) the subprotocol \`bearer.<token>\` beside \`${SOCKET_PROTOCOL}\`` },
      },
    },
  };
}
