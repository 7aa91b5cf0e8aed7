import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./env";
import { AppError } from "./errors";
import { authRoutes } from "./http/auth-routes";
import { d1Session } from "./http/d1-session";
import { errorResponse } from "./http/errors";
import { meRoutes, userRoutes } from "./http/user-routes";
import { channelRoutes, dmRoutes } from "./http/channel-routes";
import { inboxRoutes, presenceRoutes } from "./http/inbox-routes";
import { pushRoutes } from "./http/push-routes";
import { attachmentRoutes } from "./http/attachment-routes";
import { fileRoutes } from "./http/file-routes";
import { referenceRoutes } from "./http/api-docs/reference-routes";
import { e2eeRoutes } from "./http/e2ee-routes";
import { blockRoutes } from "./http/block-routes";
import { searchRoutes } from "./http/search-routes";
import { MAX_BODY_BYTES } from "./protocol";
import { deleteExpired } from "./accounts/cleanup";
import { openDb } from "./accounts/db";
import { readConfig } from "./config";

export { ChannelRoom } from "./channel-room/channel-room";
export { UserHub } from "./user-hub/user-hub";

const api = new Hono<AppEnv>()
  // Signed downloads need no session; uploads stream files past the JSON body limit below.
  .route("/files", fileRoutes)
  .route("/channels", attachmentRoutes)
  .use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AppError("payload_too_large", `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
      },
    }),
  )
  .use(d1Session)
  .route("/auth", authRoutes)
  .route("/me", meRoutes)
  .route("/users", userRoutes)
  .route("/dms", dmRoutes)
  .route("/channels", channelRoutes)
  .route("/inbox", inboxRoutes)
  .route("/presence", presenceRoutes)
  .route("/push", pushRoutes)
  .route("/e2ee", e2eeRoutes)
  .route("/blocks", blockRoutes)
  .route("/search", searchRoutes)
  .route("/", referenceRoutes((): Hono<any, any, any> => app));

export const app = new Hono<AppEnv>()
  .route("/api", api)
  .notFound((c) => errorResponse(new AppError("not_found", "no such route"), c))
  .onError(errorResponse);

/** The Cron Trigger (`[triggers]` in wrangler.toml): expired sessions and stale login failures go. */
async function scheduled(_controller: ScheduledController, env: AppEnv["Bindings"]): Promise<void> {
  await deleteExpired(openDb(env.DB), readConfig(env));
}

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<AppEnv["Bindings"]>;
