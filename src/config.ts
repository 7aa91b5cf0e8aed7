import type { BudgetRule } from "./budgets/budget";
import type { Env } from "./env";

/** Configuration read from Worker variables, with the defaults of docs/protocol.md. */
export interface Config {
  sendRateLimit: number;
  sendRateWindowMs: number;
  heartbeatTimeoutMs: number;
  presenceGraceMs: number;
  pushInsecureEndpoints: boolean;
  loginMaxFailures: number;
  loginLockoutMs: number;
  sessionTtlMs: number;
  maxSocketsPerUser: number;
  maxChannelsPerUser: number;
  /** Per user per channel, in the room (frames and their HTTP twins). */
  changeBudget: BudgetRule;
  syncBudget: BudgetRule;
  readBudget: BudgetRule;
  searchBudget: BudgetRule;
  membershipBudget: BudgetRule;
  /** Frames of any kind one socket may send, checked by the Worker before the room sees them. */
  socketFrameBudget: BudgetRule;
  /** New sockets per user per object (a room for each member, a hub for its user). */
  socketConnectBudget: BudgetRule;
  /** How long a user whose socket was closed for flooding (4429) waits before the object takes a new socket of theirs. */
  floodBenchMs: number;
  /** The Worker holds each client socket and relays its frames (src/sockets/relay.ts); off hands the object's socket to the client. */
  socketRelay: boolean;
  /** One typing broadcast per user per channel per this many ms; more are dropped. */
  typingIntervalMs: number;
  /** Per user, in their hub. */
  profileBudget: BudgetRule;
  channelCreateBudget: BudgetRule;
  pushSubscribeBudget: BudgetRule;
  blockBudget: BudgetRule;
  keyPackageClaimBudget: BudgetRule;
  /** Per client address (CF-Connecting-IP), in D1. */
  signupAddressBudget: BudgetRule;
  groupCreateAddressBudget: BudgetRule;
  userSearchBudget: BudgetRule;
  searchAllBudget: BudgetRule;
  /** Origins besides the request's own that may open sockets (ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  /** Largest upload (MAX_ATTACHMENT_BYTES). */
  maxAttachmentBytes: number;
  /** Bytes of attachments one user may keep in one channel (ATTACHMENT_QUOTA_BYTES). */
  attachmentQuotaBytes: number;
  /** Bytes of attachments one user may keep in all channels together (USER_ATTACHMENT_QUOTA_BYTES). */
  userAttachmentQuotaBytes: number;
  /** How long a signed attachment URL works (ATTACHMENT_URL_TTL_MS). */
  attachmentUrlTtlMs: number;
}

function int(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

export function readConfig(env: Partial<Env>): Config {
  return {
    sendRateLimit: int(env.SEND_RATE_LIMIT, 30),
    sendRateWindowMs: 10_000,
    heartbeatTimeoutMs: int(env.HEARTBEAT_TIMEOUT_MS, 30_000),
    presenceGraceMs: int(env.PRESENCE_GRACE_MS, 10_000),
    pushInsecureEndpoints: env.PUSH_INSECURE_ENDPOINTS === "true",
    loginMaxFailures: int(env.LOGIN_MAX_FAILURES, 5),
    loginLockoutMs: int(env.LOGIN_LOCKOUT_MS, 15 * 60_000),
    sessionTtlMs: int(env.SESSION_TTL_MS, 30 * 24 * 3600_000),
    maxSocketsPerUser: int(env.MAX_SOCKETS_PER_USER, 20),
    maxChannelsPerUser: int(env.MAX_CHANNELS_PER_USER, 1000),
    changeBudget: { limit: int(env.CHANGE_RATE_LIMIT, 30), windowMs: 10_000, burst: 10 },
    // 50 at once: a device back after a while catches up 10,000 messages (pages of 200) without waiting.
    syncBudget: { limit: int(env.SYNC_RATE_LIMIT, 300), windowMs: 10_000, burst: 50 },
    readBudget: { limit: int(env.READ_RATE_LIMIT, 60), windowMs: 10_000, burst: 10 },
    searchBudget: { limit: int(env.SEARCH_RATE_LIMIT, 100), windowMs: 10_000 },
    membershipBudget: { limit: int(env.MEMBERSHIP_RATE_LIMIT, 30), windowMs: 60_000 },
    socketFrameBudget: { limit: int(env.SOCKET_FRAME_RATE_LIMIT, 1000), windowMs: 10_000, burst: 50 },
    socketConnectBudget: { limit: int(env.SOCKET_CONNECT_RATE_LIMIT, 60), windowMs: 60_000, burst: 20 },
    floodBenchMs: int(env.FLOOD_BENCH_MS, 30_000),
    socketRelay: env.SOCKET_RELAY !== "off",
    typingIntervalMs: int(env.TYPING_INTERVAL_MS, 2_000),
    profileBudget: { limit: int(env.PROFILE_RATE_LIMIT, 5), windowMs: 60_000 },
    channelCreateBudget: { limit: int(env.CHANNEL_CREATE_RATE_LIMIT, 30), windowMs: 60_000 },
    pushSubscribeBudget: { limit: int(env.PUSH_SUBSCRIBE_RATE_LIMIT, 10), windowMs: 60_000 },
    blockBudget: { limit: int(env.BLOCK_RATE_LIMIT, 30), windowMs: 60_000 },
    keyPackageClaimBudget: { limit: int(env.KEY_PACKAGE_CLAIM_RATE_LIMIT, 60), windowMs: 60_000 },
    signupAddressBudget: { limit: int(env.SIGNUP_ADDRESS_RATE_LIMIT, 20), windowMs: 3600_000 },
    groupCreateAddressBudget: { limit: int(env.GROUP_CREATE_ADDRESS_RATE_LIMIT, 60), windowMs: 60_000 },
    userSearchBudget: { limit: int(env.USER_SEARCH_RATE_LIMIT, 120), windowMs: 60_000 },
    searchAllBudget: { limit: int(env.SEARCH_ALL_RATE_LIMIT, 30), windowMs: 60_000 },
    allowedOrigins: origins(env.ALLOWED_ORIGINS),
    maxAttachmentBytes: int(env.MAX_ATTACHMENT_BYTES, 25 * 1024 * 1024),
    attachmentQuotaBytes: int(env.ATTACHMENT_QUOTA_BYTES, 1024 * 1024 * 1024),
    userAttachmentQuotaBytes: int(env.USER_ATTACHMENT_QUOTA_BYTES, 5 * 1024 * 1024 * 1024),
    attachmentUrlTtlMs: Math.max(60_000, int(env.ATTACHMENT_URL_TTL_MS, 24 * 3600_000)),
  };
}

/** A comma-separated list of origins, each normalised (`https://a.example/` → `https://a.example`); unparsable entries are dropped. */
function origins(value: string | undefined): string[] {
  return (value ?? "").split(",").flatMap((entry) => {
    const trimmed = entry.trim();
    if (!trimmed) return [];
    try {
      const origin = new URL(trimmed).origin;
      return origin === "null" ? [] : [origin];
    } catch {
      return [];
    }
  });
}

const JURISDICTIONS = ["eu", "fedramp", "fedramp-high"] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/**
 * JURISDICTION puts every object in that jurisdiction. Unlike the numbers, an
 * unknown value is not ignored: a deployment that must keep data in a region
 * fails loudly rather than silently storing it anywhere.
 */
export function readJurisdiction(env: { JURISDICTION?: string }): Jurisdiction | undefined {
  const value = env.JURISDICTION?.trim() ?? "";
  if (value === "") return undefined;
  if ((JURISDICTIONS as readonly string[]).includes(value)) return value as Jurisdiction;
  throw new Error(`JURISDICTION must be empty or one of ${JURISDICTIONS.join(", ")}, not "${value}"`);
}
