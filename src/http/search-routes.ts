import { Hono } from "hono";
import type { AppEnv } from "../env";
import { unwrap } from "../errors";
import { MAX_SEARCH_ALL_CHANNELS, SearchAllQuery, SearchAllResponse } from "../protocol";
import { channelRoom } from "../channel-room/stub";
import { userHub } from "../user-hub/stub";
import { requireAuth } from "./auth-middleware";
import { validate } from "./validate";
import { doc } from "./api-docs/route-doc";

/**
 * Search of all one's channels: the Worker asks each of the most recently
 * active channels' rooms at once (one RPC each, in parallel), so a client
 * makes one request instead of one per channel. Encrypted channels hold no
 * text to search; the app searches its own decrypted copies of those.
 */
export const searchRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .get("/", doc({ tag: "Messages", summary: "Full-text search of all my channels, grouped by channel", answers: { 200: SearchAllResponse }, errors: ["rate_limited"] }), validate("query", SearchAllQuery), async (c) => {
    const { q, limit } = c.req.valid("query");
    const hub = userHub(c.env, c.var.userId);
    unwrap(await hub.spend("searchAll"));
    const summaries = await hub.listChannels(c.var.userId);
    const searchable = summaries.filter((s) => !s.channel.encrypted).slice(0, MAX_SEARCH_ALL_CHANNELS);
    const pages = await Promise.all(searchable.map((s) => channelRoom(c.env, s.channel.id).search(c.var.userId, { q, limit: limit ?? 5 })));
    const results: SearchAllResponse["results"] = [];
    let searched = 0;
    pages.forEach((page, i) => {
      // A channel left meanwhile, or over its own search budget, is skipped, not an error for the rest.
      if (!page.ok) return;
      searched++;
      if (page.value.messages.length > 0) results.push({ channel: searchable[i]!.channel, ...page.value });
    });
    return c.json({ results, searched, skipped: summaries.length - searched } satisfies SearchAllResponse);
  });
