import * as v from "valibot";
import type { Channel, Message, Presence, Summary, User, UserRef } from "../protocol";
import type { GroupBody, LoginBody, PushSubscriptionBody, SendBody, SignupBody } from "../protocol";
import { BOOKMARK_HEADER } from "../protocol";
import { ApiError } from "./api-error";
import * as R from "../protocol";

export interface HttpClientOptions {
  /** Origin of the service, e.g. "http://127.0.0.1:8788"; "" means the page's own origin. */
  baseUrl: string;
  token?: string | null;
  /** Injectable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | undefined>;

/** Typed methods for every HTTP endpoint of docs/protocol.md. Answers are validated against the protocol schemas. */
export class HttpClient {
  readonly baseUrl: string;
  token: string | null;
  /** D1's latest bookmark from the service, sent back on every request so reads see this client's writes (docs/protocol.md). */
  bookmark: string | null = null;
  readonly #fetch: typeof fetch;

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.token = options.token ?? null;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  // --- auth and profile ---
  async signup(body: v.InferInput<typeof SignupBody>): Promise<{ user: User; token: string }> {
    const answer = await this.#call(R.AuthResponse, "POST", "/auth/signup", { body });
    this.token = answer.token;
    return answer;
  }
  async login(body: v.InferInput<typeof LoginBody>): Promise<{ user: User; token: string }> {
    const answer = await this.#call(R.AuthResponse, "POST", "/auth/login", { body });
    this.token = answer.token;
    return answer;
  }
  async logout(): Promise<void> {
    await this.#call(null, "POST", "/auth/logout");
    this.token = null;
  }
  async me(): Promise<User> {
    return (await this.#call(R.UserResponse, "GET", "/me")).user;
  }
  async updateMe(displayName: string): Promise<User> {
    return (await this.#call(R.UserResponse, "PATCH", "/me", { body: { displayName } })).user;
  }
  async user(handle: string): Promise<User> {
    return (await this.#call(R.UserResponse, "GET", `/users/${encodeURIComponent(handle)}`)).user;
  }
  /** People search: handles, then display names, starting with `q`. */
  async searchUsers(q: string): Promise<UserRef[]> {
    return (await this.#call(R.UserRefsResponse, "GET", "/users", { query: { q } })).users;
  }

  // --- channels ---
  async openDm(handle: string): Promise<Channel> {
    return (await this.#call(R.ChannelResponse, "POST", "/dms", { body: { handle } })).channel;
  }
  async createGroup(body: v.InferInput<typeof GroupBody>): Promise<Channel> {
    return (await this.#call(R.ChannelResponse, "POST", "/channels", { body })).channel;
  }
  async channels(): Promise<Summary[]> {
    return (await this.#call(R.ChannelsResponse, "GET", "/channels")).channels;
  }
  async channel(id: string): Promise<Channel> {
    return (await this.#call(R.ChannelResponse, "GET", `/channels/${enc(id)}`)).channel;
  }
  async renameChannel(channelId: string, title: string): Promise<Channel> {
    return (await this.#call(R.ChannelResponse, "PATCH", `/channels/${enc(channelId)}`, { body: { title } })).channel;
  }
  async addMember(channelId: string, handle: string): Promise<Channel> {
    return (await this.#call(R.ChannelResponse, "POST", `/channels/${enc(channelId)}/members`, { body: { handle } })).channel;
  }
  async removeMember(channelId: string, handle: string): Promise<void> {
    await this.#call(null, "DELETE", `/channels/${enc(channelId)}/members/${enc(handle)}`);
  }

  // --- messages ---
  async messagesAfter(channelId: string, after: number, limit?: number): Promise<R.MessagesPage> {
    return this.#call(R.MessagesPage, "GET", `/channels/${enc(channelId)}/messages`, { query: { after, limit } });
  }
  async messagesBefore(channelId: string, before: number, limit?: number): Promise<R.MessagesPage> {
    return this.#call(R.MessagesPage, "GET", `/channels/${enc(channelId)}/messages`, { query: { before, limit } });
  }
  async sendMessage(channelId: string, body: v.InferInput<typeof SendBody>): Promise<Message> {
    return (await this.#call(R.MessageResponse, "POST", `/channels/${enc(channelId)}/messages`, { body })).message;
  }
  async markRead(channelId: string, seq: number): Promise<Summary> {
    return (await this.#call(R.SummaryResponse, "POST", `/channels/${enc(channelId)}/read`, { body: { seq } })).summary;
  }
  async search(channelId: string, q: string, options: { limit?: number; offset?: number } = {}): Promise<Message[]> {
    return (await this.#call(R.MessagesPage, "GET", `/channels/${enc(channelId)}/search`, { query: { q, ...options } })).messages;
  }
  /** Search of all one's channels (encrypted ones excepted), hits grouped by channel. */
  async searchAll(q: string, limit?: number): Promise<R.SearchAllResponse> {
    return this.#call(R.SearchAllResponse, "GET", "/search", { query: { q, limit } });
  }
  async editMessage(channelId: string, seq: number, body: string): Promise<Message> {
    return (await this.#call(R.MessageResponse, "PATCH", `/channels/${enc(channelId)}/messages/${seq}`, { body: { body } })).message;
  }
  async deleteMessage(channelId: string, seq: number): Promise<Message> {
    return (await this.#call(R.MessageResponse, "DELETE", `/channels/${enc(channelId)}/messages/${seq}`)).message;
  }
  /** Without `on` it toggles; with it, it sets. */
  async react(channelId: string, seq: number, emoji: string, on?: boolean): Promise<Message> {
    const body = on === undefined ? { emoji } : { emoji, on };
    return (await this.#call(R.MessageResponse, "POST", `/channels/${enc(channelId)}/messages/${seq}/reactions`, { body })).message;
  }
  /** Edits, deletes and reactions after change cursor `after` (docs/protocol.md). */
  async changes(channelId: string, after: number, options: { through?: number; limit?: number } = {}): Promise<R.ChangesPage> {
    return this.#call(R.ChangesPage, "GET", `/channels/${enc(channelId)}/changes`, { query: { after, ...options } });
  }
  /** Channels where this device's cursor is behind (docs/protocol.md). */
  async missed(device: string): Promise<R.Missed> {
    return (await this.#call(R.MissedResponse, "GET", "/inbox/missed", { query: { device } })).channels;
  }
  async presence(userIds: string[]): Promise<Presence[]> {
    if (userIds.length === 0) return [];
    return (await this.#call(R.PresenceResponse, "GET", "/presence", { query: { ids: userIds.join(",") } })).presence;
  }

  // --- push ---
  async pushKey(): Promise<string> {
    return (await this.#call(R.PushKeyResponse, "GET", "/push/key")).publicKey;
  }
  async subscribePush(body: v.InferInput<typeof PushSubscriptionBody>): Promise<void> {
    await this.#call(null, "POST", "/push/subscriptions", { body });
  }
  async unsubscribePush(device: string): Promise<void> {
    await this.#call(null, "DELETE", `/push/subscriptions/${enc(device)}`);
  }

  /**
   * Any JSON call, unparsed: the transport of the e2ee module (src/client/e2ee),
   * which validates what it reads itself. Errors are ApiErrors as elsewhere.
   */
  json(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.#call(v.unknown(), method, path, body === undefined ? {} : { body });
  }

  /** The ws:/wss: URL of a socket endpoint, e.g. socketUrl("/inbox/socket", device). */
  socketUrl(path: string, device: string, extra: Record<string, string> = {}): string {
    const base = this.baseUrl || globalThis.location?.origin || "";
    const url = new URL(`${base}/api${path}`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("device", device);
    for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
    return url.toString();
  }

  async #call<S extends v.GenericSchema | null>(
    schema: S,
    method: string,
    path: string,
    options: { body?: unknown; query?: Query } = {},
  ): Promise<S extends v.GenericSchema ? v.InferOutput<S> : void> {
    let url = `${this.baseUrl}/api${path}`;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) params.set(key, String(value));
    if ([...params].length > 0) url += `?${params}`;
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (this.bookmark) headers[BOOKMARK_HEADER] = this.bookmark;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await this.#fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    this.bookmark = res.headers.get(BOOKMARK_HEADER) ?? this.bookmark;
    const text = await res.text();
    if (!res.ok) throw toApiError(res.status, text);
    if (schema === null) return undefined as never;
    return v.parse(schema, JSON.parse(text)) as never;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function toApiError(status: number, text: string): ApiError {
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // A body that is not JSON (a proxy's page, say) still becomes an ApiError.
  }
  const parsed = v.safeParse(R.ErrorResponse, json);
  if (parsed.success) {
    const { code, message, retryAfterMs } = parsed.output.error;
    return new ApiError(status, code, message, retryAfterMs);
  }
  return new ApiError(status, "internal", text.slice(0, 200) || `HTTP ${status}`);
}
