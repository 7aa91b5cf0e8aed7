import type { ChannelRoom } from "./channel/channel-room";
import type { UserHub } from "./user/user-hub";

/** Bindings and variables of the Worker, as declared in wrangler.toml and .dev.vars. */
export interface Env {
  DB: D1Database;
  CHANNEL_ROOM: DurableObjectNamespace<ChannelRoom>;
  USER_HUB: DurableObjectNamespace<UserHub>;
  ASSETS?: Fetcher;
  SEND_RATE_LIMIT?: string;
  HEARTBEAT_TIMEOUT_MS?: string;
  PRESENCE_GRACE_MS?: string;
  PUSH_INSECURE_ENDPOINTS?: string;
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  VAPID_SUBJECT?: string;
  LOGIN_MAX_FAILURES?: string;
  LOGIN_LOCKOUT_MS?: string;
  SESSION_TTL_MS?: string;
  MAX_SOCKETS_PER_USER?: string;
  MAX_CHANNELS_PER_USER?: string;
  ALLOWED_ORIGINS?: string;
}

/** The authenticated caller, set once by the auth middleware. */
export interface AuthVars {
  userId: string;
  sessionId: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AuthVars;
}
