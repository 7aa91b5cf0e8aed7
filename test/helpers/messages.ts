import { api, type ApiResponse, type TestUser } from "./http";

/** The rich-messaging endpoints of docs/protocol.md (Messages), as a client calls them. */
export const edit = (u: TestUser, channelId: string, seq: number | string, body: unknown): Promise<ApiResponse> =>
  api("PATCH", `/channels/${channelId}/messages/${seq}`, { token: u.token, json: { body } });

export const del = (u: TestUser, channelId: string, seq: number | string): Promise<ApiResponse> =>
  api("DELETE", `/channels/${channelId}/messages/${seq}`, { token: u.token });

export const react = (u: TestUser, channelId: string, seq: number, emoji: unknown, on?: boolean): Promise<ApiResponse> =>
  api("POST", `/channels/${channelId}/messages/${seq}/reactions`, { token: u.token, json: on === undefined ? { emoji } : { emoji, on } });

export const changes = (u: TestUser, channelId: string, query: string): Promise<ApiResponse> =>
  api("GET", `/channels/${channelId}/changes?${query}`, { token: u.token });

export const search = (u: TestUser, channelId: string, q: string, extra = ""): Promise<ApiResponse> =>
  api("GET", `/channels/${channelId}/search?q=${encodeURIComponent(q)}${extra}`, { token: u.token });

export async function history(u: TestUser, channelId: string, query = ""): Promise<any[]> {
  const res = await api("GET", `/channels/${channelId}/messages?limit=200${query}`, { token: u.token });
  if (res.status !== 200) throw new Error(`history failed ${res.status}`);
  return res.body.messages;
}

export async function summaryOf(u: TestUser, channelId: string): Promise<any> {
  const res = await api("GET", "/channels", { token: u.token });
  return res.body.channels.find((s: any) => s.channel.id === channelId);
}

/** A message posted over HTTP, optionally as a reply; fails the test on anything but 201. */
export async function say(u: TestUser, channelId: string, body: string, replyTo?: number): Promise<any> {
  const res = await api("POST", `/channels/${channelId}/messages`, { token: u.token, json: { clientMsgId: crypto.randomUUID(), body, ...(replyTo ? { replyTo } : {}) } });
  if (res.status !== 201) throw new Error(`send failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.message;
}
