import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as v from "valibot";
import { ChannelRoom } from "../src/channel-room/channel-room";
import { UserHub } from "../src/user-hub/user-hub";
import {
  ChangesPage, ChannelSchema, ChannelStateSchema, ChannelUpdateSchema, ClaimedKeyPackageSchema, CreateChannelInputSchema, CreatedChannelSchema, FailedResultSchema,
  HubBudgetKindSchema, KeyPackageCountResponse, MessageSchema, MessagesPage, MissedResponse, MlsGroupResponse, MlsWelcomeSchema, NewUploadSchema, PresenceSchema,
  resultSchema, SentMessageSchema, StoredInfoSchema, SummarySchema, UnsentCheckSchema, UpdateOutcomeSchema, UploadedAttachmentSchema,
  type ChannelUpdate, type UpdateOutcome,
} from "../src/protocol";
import { image, pdfLike, upload } from "./helpers/attachments";
import { deviceOf } from "./helpers/e2ee";
import { dm, group, post, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { eventually, openSocket } from "./helpers/socket";

// The objects parse nothing they receive over RPC (the drain calls every
// member's hub several times a second), so the schemas in
// src/protocol/rpc.ts are only types there. Here the calls of a real session
// are recorded as the objects received and answered them, and each is parsed.

interface Shape {
  args?: v.GenericSchema;
  result: v.GenericSchema;
}

const ROOM: Record<string, Shape> = {
  create: { args: v.tuple([CreateChannelInputSchema]), result: resultSchema(CreatedChannelSchema) },
  getChannel: { result: resultSchema(ChannelSchema) },
  addMember: { result: resultSchema(ChannelSchema) },
  rename: { result: resultSchema(ChannelSchema) },
  removeMember: { result: resultSchema(v.null()) },
  history: { result: resultSchema(MessagesPage) },
  send: { result: resultSchema(SentMessageSchema) },
  change: { result: resultSchema(MessageSchema) },
  changes: { result: resultSchema(ChangesPage) },
  search: { result: resultSchema(MessagesPage) },
  markRead: { result: resultSchema(SummarySchema) },
  reserveUpload: { args: v.tuple([v.string(), NewUploadSchema]), result: resultSchema(v.null()) },
  completeUpload: { args: v.tuple([v.string(), v.string(), StoredInfoSchema]), result: resultSchema(UploadedAttachmentSchema) },
  checkUnsent: { result: resultSchema(UnsentCheckSchema) },
  setThumbnail: { result: resultSchema(v.null()) },
  sendMls: { result: resultSchema(SentMessageSchema) },
  mlsGroup: { result: resultSchema(MlsGroupResponse) },
};

const HUB: Record<string, Shape> = {
  applyChannelUpdate: { args: v.tuple([ChannelUpdateSchema]), result: UpdateOutcomeSchema },
  spend: { args: v.tuple([HubBudgetKindSchema]), result: resultSchema(v.null()) },
  reserveChannel: { result: resultSchema(v.boolean()) },
  listChannels: { result: v.array(SummarySchema) },
  channelState: { result: ChannelStateSchema },
  missed: { result: MissedResponse.entries.channels },
  presence: { result: PresenceSchema },
  publishKeyPackages: { result: v.number() },
  claimKeyPackages: { result: v.array(ClaimedKeyPackageSchema) },
  keyPackageCount: { result: KeyPackageCountResponse },
  storeWelcome: { args: v.tuple([v.string(), MlsWelcomeSchema]), result: v.undefined() },
  welcomes: { result: v.array(MlsWelcomeSchema) },
};

interface Call {
  method: string;
  args: unknown[];
  result: unknown;
}
const calls: Call[] = [];
const restores: (() => void)[] = [];

/** Records each call of these methods, on every instance, as RPC delivers and answers it. */
function record(cls: { prototype: object }, methods: string[]): () => void {
  const proto = cls.prototype as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const originals = methods.map((m) => [m, proto[m]!] as const);
  for (const [method, original] of originals) {
    proto[method] = async function (this: unknown, ...args: unknown[]) {
      const result = await original.apply(this, args);
      calls.push({ method, args: structuredClone(args), result: structuredClone(result) });
      return result;
    };
  }
  return () => {
    for (const [method, original] of originals) proto[method] = original;
  };
}

function mismatches(shapes: Record<string, Shape>): string[] {
  const out: string[] = [];
  for (const call of calls.filter((c) => c.method in shapes)) {
    const shape = shapes[call.method]!;
    for (const [what, schema, value] of [["arguments", shape.args, call.args], ["result", shape.result, call.result]] as const) {
      if (!schema) continue;
      const parsed = v.safeParse(schema, value);
      if (!parsed.success) out.push(`${call.method} ${what}: ${v.summarize(parsed.issues)} in ${JSON.stringify(value)}`);
    }
  }
  return out;
}

const updates = () => calls.filter((c) => c.method === "applyChannelUpdate").map((c) => ({ update: c.args[0] as ChannelUpdate, outcome: c.result as UpdateOutcome }));

beforeAll(() => {
  restores.push(record(ChannelRoom, Object.keys(ROOM)), record(UserHub, Object.keys(HUB)));
});
afterAll(() => {
  for (const restore of restores) restore();
});

describe("RPC between the Worker, the rooms and the hubs", () => {
  it("sends every variant of the room's update through a send, edit, read and membership change", async () => {
    const [a, b, c] = await users(3, "rpc");
    const inbox = await openSocket("/inbox/socket", b!.token, "phone");
    await inbox.next("welcome");
    const channel = await group(a!, [b!], "Shapes");
    await dm(a!, b!);

    expect((await post(a!, channel.id, `hello @${b!.handle}`)).status).toBe(201);
    const file = await upload(a!, channel.id, pdfLike(3000), { name: "notes.pdf", type: "application/pdf" });
    expect(file.status).toBe(201);
    const photo = (await upload(a!, channel.id, image(640, 320), { name: "wide.png", thumbnail: "client" })).body.attachment;
    const thumb = image(320, 160, "webp");
    expect((await api("PUT", `/channels/${channel.id}/attachments/${photo.id}/thumbnail`, { token: a!.token, raw: thumb, headers: { "Content-Type": "image/webp" } })).status).toBe(204);
    const withFile = await api("POST", `/channels/${channel.id}/messages`, { token: a!.token, json: { clientMsgId: crypto.randomUUID(), body: "", attachments: [file.body.attachment.id, photo.id] } });
    expect(withFile.status).toBe(201);
    expect((await api("PATCH", `/channels/${channel.id}/messages/1`, { token: a!.token, json: { body: `hello again @${b!.handle}` } })).status).toBe(200);
    expect((await api("POST", `/channels/${channel.id}/messages/1/reactions`, { token: b!.token, json: { emoji: "👍" } })).status).toBe(200);
    expect((await api("POST", `/channels/${channel.id}/read`, { token: b!.token, json: { seq: 1 } })).status).toBe(200);
    expect((await api("GET", `/channels/${channel.id}/messages?after=0`, { token: b!.token })).status).toBe(200);
    expect((await api("GET", `/channels/${channel.id}/changes?after=0`, { token: b!.token })).status).toBe(200);
    await api("GET", `/channels/${channel.id}/search?q=hello`, { token: b!.token });

    expect((await api("POST", `/channels/${channel.id}/members`, { token: a!.token, json: { handle: c!.handle } })).status).toBe(200);
    expect((await api("PATCH", `/channels/${channel.id}`, { token: b!.token, json: { title: "Renamed" } })).status).toBe(200);
    await eventually(async () => updates().some(({ update }) => update.userId === c!.user.id) || undefined);
    expect((await api("DELETE", `/channels/${channel.id}/members/${c!.handle}`, { token: a!.token })).status).toBe(204);
    // A removed member asking for the channel: the room refuses with a failed Result.
    expect((await api("GET", `/channels/${channel.id}`, { token: c!.token })).status).toBe(404);

    expect((await api("GET", "/channels", { token: b!.token })).status).toBe(200);
    expect((await api("GET", "/inbox/missed?device=phone", { token: b!.token })).status).toBe(200);
    expect((await api("GET", `/presence?ids=${b!.user.id}`, { token: a!.token })).status).toBe(200);
    await eventually(async () => updates().some(({ update }) => update.membership === "removed" && update.userId === c!.user.id) || undefined, 10_000);
    inbox.close();

    // The update's variants all occurred: with and without the channel, with cursors, mentions, files; a removal.
    const seen = updates();
    const active = seen.flatMap(({ update }) => (update.membership === "active" ? [update] : []));
    expect(active.some((u) => u.summary.channel !== undefined)).toBe(true);
    expect(active.some((u) => u.summary.channel === undefined)).toBe(true);
    expect(active.some((u) => u.cursors !== undefined)).toBe(true);
    expect(active.some((u) => u.messages.some((m) => m.mentions?.includes(b!.user.id)))).toBe(true);
    expect(active.some((u) => u.messages.some((m) => m.attachments?.[0]?.name === "notes.pdf"))).toBe(true);
    expect(seen.some(({ outcome }) => outcome.inboxDevices.includes("phone"))).toBe(true);
    // And a refusal crossed as data, in the shape src/errors.ts unwraps.
    const refused = calls.filter((call) => (call.result as { ok?: boolean } | null)?.ok === false);
    expect(refused.length).toBeGreaterThan(0);
    for (const call of refused) v.parse(FailedResultSchema, call.result);
  });

  it("carries an encrypted group's KeyPackages, MLS messages and Welcomes in the RPC schemas", async () => {
    const [a, b] = await users(2, "rpce");
    const alice = await deviceOf(a!, "a1");
    const bob = await deviceOf(b!, "b1");
    const { channel } = await alice.createGroup("sealed");
    await alice.addUsers(channel.id, [b!.handle]);
    await bob.joinWelcomed();
    await alice.send(channel.id, { type: "text", body: "sealed hello" });
    expect((await api("GET", `/channels/${channel.id}/mls`, { token: b!.token })).status).toBe(200);
    expect((await api("GET", "/e2ee/key-packages?device=b1", { token: b!.token })).status).toBe(200);
    expect(calls.some((call) => call.method === "storeWelcome")).toBe(true);
  });

  it("records every method of the tables, each call inside its schema", () => {
    // Every method was called, so no shape goes unchecked.
    expect([...new Set(calls.map((call) => call.method))].sort()).toEqual([...Object.keys(ROOM), ...Object.keys(HUB)].sort());
    expect(mismatches({ ...ROOM, ...HUB })).toEqual([]);
  });

  it("refuses an update that breaks the contract (the check above can fail)", () => {
    const good = updates().find(({ update }) => update.membership === "active")!.update;
    expect(v.safeParse(ChannelUpdateSchema, good).success).toBe(true);
    expect(v.safeParse(ChannelUpdateSchema, { ...good, membership: "left" }).success).toBe(false);
    expect(v.safeParse(ChannelUpdateSchema, { ...good, messages: [{ seq: "1", senderId: "u", body: "" }] }).success).toBe(false);
  });
});
