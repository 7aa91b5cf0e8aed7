import { api, signup, type TestUser } from "./http";

export async function dm(a: TestUser, b: TestUser): Promise<any> {
  const res = await api("POST", "/dms", { token: a.token, json: { handle: b.handle } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`dm failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.channel;
}

export async function group(owner: TestUser, others: TestUser[], title = "Group"): Promise<any> {
  const res = await api("POST", "/channels", { token: owner.token, json: { title, members: others.map((u) => u.handle) } });
  if (res.status !== 201) throw new Error(`group failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.channel;
}

export async function users(n: number, prefix = "m"): Promise<TestUser[]> {
  const out: TestUser[] = [];
  for (let i = 0; i < n; i++) out.push(await signup(prefix));
  return out;
}

export async function post(u: TestUser, channelId: string, body: string, clientMsgId: string = crypto.randomUUID()) {
  return api("POST", `/channels/${channelId}/messages`, { token: u.token, json: { clientMsgId, body } });
}
