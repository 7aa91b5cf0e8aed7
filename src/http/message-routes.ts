import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../env";
import { unwrap } from "../errors";
import { ChangesPage, ChangesQuery, ChannelIdSchema, EditBody, MessageParam, MessageResponse, MessagesPage, ReactBody, SearchQuery } from "../protocol";
import { channelRoom } from "../channel-room/stub";
import { validate } from "./validate";
import { doc } from "./api-docs/route-doc";

const channelParam = validate("param", v.object({ id: ChannelIdSchema }), "not_found");
/** A seq that cannot name a message is as unknown as one that names none. */
const messageParam = validate("param", MessageParam, "not_found");

/**
 * Edit, delete, react, change cursor and search, under `/channels`. Mounted
 * inside channelRoutes, whose requireAuth covers them. Each is one RPC to the
 * room, on the same code path as the socket frames.
 */
export const messageRoutes = new Hono<AppEnv>()
  .patch("/:id/messages/:seq", doc({ tag: "Messages", summary: "Edit my message", answers: { 200: MessageResponse }, errors: ["forbidden", "not_found", "conflict", "rate_limited"] }), messageParam, validate("json", EditBody), async (c) => {
    const { id, seq } = c.req.valid("param");
    return c.json({ message: unwrap(await channelRoom(c.env, id).change(c.var.userId, { type: "edit", seq, body: c.req.valid("json").body })) });
  })
  .delete("/:id/messages/:seq", doc({ tag: "Messages", summary: "Delete my message (leaves a tombstone)", answers: { 200: MessageResponse }, errors: ["forbidden", "not_found", "rate_limited"] }), messageParam, async (c) => {
    const { id, seq } = c.req.valid("param");
    return c.json({ message: unwrap(await channelRoom(c.env, id).change(c.var.userId, { type: "delete", seq })) });
  })
  .post("/:id/messages/:seq/reactions", doc({ tag: "Messages", summary: "Toggle or set my reaction", answers: { 200: MessageResponse }, errors: ["not_found", "conflict", "rate_limited"] }), messageParam, validate("json", ReactBody), async (c) => {
    const { id, seq } = c.req.valid("param");
    const { emoji, on } = c.req.valid("json");
    return c.json({ message: unwrap(await channelRoom(c.env, id).change(c.var.userId, { type: "react", seq, emoji, on })) });
  })
  .get("/:id/changes", doc({ tag: "Messages", summary: "Edits, deletes and reactions after a change cursor", answers: { 200: ChangesPage }, errors: ["not_found", "rate_limited"] }), channelParam, validate("query", ChangesQuery), async (c) => {
    return c.json(unwrap(await channelRoom(c.env, c.req.valid("param").id).changes(c.var.userId, c.req.valid("query"))));
  })
  .get("/:id/search", doc({ tag: "Messages", summary: "Full-text search in a channel", answers: { 200: MessagesPage }, errors: ["not_found", "not_supported", "rate_limited"] }), channelParam, validate("query", SearchQuery), async (c) => {
    return c.json(unwrap(await channelRoom(c.env, c.req.valid("param").id).search(c.var.userId, c.req.valid("query"))));
  });
