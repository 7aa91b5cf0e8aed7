import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/config";
import { ChannelClientFrame, InboxClientFrame, MAX_FRAME_BYTES } from "../src/protocol";
import { dm, post, users } from "./helpers/channels";
import { frameText, oddString } from "./helpers/fuzz";
import { api } from "./helpers/http";
import { openSocket, type TestSocket } from "./helpers/socket";

// Property-based fuzzing of every client frame on both sockets: whatever
// arrives, the answer is an `error` frame or the frame's normal effect, never
// a crash, a close or a partial write, and the socket keeps working.

const CHANNEL_TYPES = ["send", "sync", "typing", "read", "ping", "edit", "delete", "react"] as const;
const CHANNEL_FIELDS = ["clientMsgId", "body", "replyTo", "after", "limit", "changesAfter", "seq", "emoji", "on"] as const;
const SERVER_TYPES = new Set(["welcome", "message", "ack", "history", "changes", "changed", "typing", "receipt", "member", "pong", "error"]);
/** Refusals a well-formed frame may get (unknown seq, someone else's message, rate limit); never `internal`. */
const STATE_REFUSALS = new Set(["bad_request", "not_found", "forbidden", "conflict", "rate_limited"]);

/** Frames that are valid, or one odd value away from it, so the accepting paths are fuzzed too. */
const seq = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-1, 1.5, 2 ** 53, "1"));
const nearlyValid = fc
  .oneof(
    fc.record({ type: fc.constant("send"), clientMsgId: oddString, body: oddString }),
    fc.record({ type: fc.constant("send"), clientMsgId: oddString, body: oddString, replyTo: seq }),
    fc.record({ type: fc.constant("sync"), after: seq, limit: fc.oneof(fc.integer({ min: 0, max: 201 }), fc.constant(undefined)), changesAfter: fc.oneof(seq, fc.constant(undefined)) }),
    fc.record({ type: fc.constant("read"), seq }),
    fc.record({ type: fc.constant("edit"), seq, body: oddString }),
    fc.record({ type: fc.constant("delete"), seq: fc.constantFrom(0, 3, 99) }),
    fc.record({ type: fc.constant("react"), seq, emoji: oddString, on: fc.oneof(fc.boolean(), fc.constant(undefined)) }),
    fc.constantFrom({ type: "typing" }, { type: "ping" }),
  )
  .map((f) => JSON.stringify(f));

/** Not the exact auto-response bytes, so it reaches the object and is answered in order after what came before. */
const PROBE = '{"type":"ping" }';
const FRAME_BUDGET = readConfig({}).socketFrameBudget;
const PACE_MS = Math.ceil((2 * FRAME_BUDGET.windowMs) / FRAME_BUDGET.limit) + 2;

interface Verdict {
  valid: boolean;
  oversize: boolean;
  frame?: any;
}

function judge<S extends v.GenericSchema>(schema: S, text: string): Verdict {
  const oversize = new TextEncoder().encode(text).byteLength > MAX_FRAME_BYTES;
  if (oversize) return { valid: false, oversize };
  try {
    const parsed = v.safeParse(schema, JSON.parse(text));
    return parsed.success ? { valid: true, oversize, frame: parsed.output } : { valid: false, oversize };
  } catch {
    return { valid: false, oversize };
  }
}

/** Sends `text`, then the probe; returns every frame that arrived before the probe's pong. */
async function exchange(ws: TestSocket, text: string | Uint8Array, pongsFromText: number): Promise<any[]> {
  // Paced under the socket's frame budget (two frames an exchange): the fuzz is about what each frame gets, not about floods.
  await new Promise((r) => setTimeout(r, PACE_MS));
  // Say why, if the server closed it: the close code is the finding, not the send that fails after it.
  if (ws.ws.readyState !== WebSocket.OPEN) throw new Error(`the server closed the socket: ${JSON.stringify(await ws.closed)}`);
  ws.frames.length = 0;
  ws.ws.send(text);
  ws.send(PROBE);
  const seen: any[] = [];
  for (let pongs = 0; pongs < pongsFromText + 1; ) {
    const f = await ws.next(undefined, 10_000);
    if (f.type === "pong") pongs++;
    else seen.push(f);
  }
  return seen;
}

function expectOneRefusal(answers: any[], verdict: Verdict, label: string) {
  const errors = answers.filter((f) => f.type === "error");
  expect(errors, label).toHaveLength(1);
  expect(errors[0].code, label).toBe(verdict.oversize ? "payload_too_large" : "bad_request");
  expect(answers.filter((f) => f.type === "ack" || f.type === "changed"), label).toEqual([]);
}

describe("fuzzing channel socket frames", () => {
  it("refuses every malformed frame with one error, stores nothing for it, and stays usable", async () => {
    const [a, b] = await users(2, "fzc");
    const channel = await dm(a!, b!);
    await post(a!, channel.id, "a message to edit, delete, react to and read", "seed");
    const ws = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    await ws.next("welcome");
    let closed: { code: number } | null = null;
    void ws.closed.then((c) => (closed = c));
    const acked = new Map<string, any>();
    let valid = 0;
    const refused = new Set<string>();
    let runs = 0;

    await fc.assert(
      fc.asyncProperty(fc.oneof(frameText(CHANNEL_TYPES, CHANNEL_FIELDS), nearlyValid), async (text) => {
        runs++;
        const verdict = judge(ChannelClientFrame, text);
        const answers = await exchange(ws, text, verdict.valid && verdict.frame.type === "ping" ? 1 : 0);
        const label = text.slice(0, 120);
        for (const f of answers) expect(SERVER_TYPES.has(f.type), label).toBe(true);
        if (!verdict.valid) {
          expectOneRefusal(answers, verdict, label);
          const id = (() => {
            try {
              return JSON.parse(text)?.clientMsgId;
            } catch {
              return undefined;
            }
          })();
          if (typeof id === "string") refused.add(id.slice(0, 64));
          return;
        }
        valid++;
        if (verdict.frame.type === "send") {
          const ack = answers.find((f) => f.type === "ack");
          // Acked as sent: the very body, or the first copy of a repeated clientMsgId.
          if (ack && !acked.has(ack.clientMsgId)) expect(ack.message.body, label).toBe(verdict.frame.body);
        }
        for (const f of answers.filter((f) => f.type === "error")) expect(STATE_REFUSALS.has(f.code), `${label} → ${f.code}`).toBe(true);
        for (const f of answers.filter((f) => f.type === "ack")) if (!acked.has(f.clientMsgId)) acked.set(f.clientMsgId, f.message);
      }),
      { numRuns: 200 },
    );

    expect(closed).toBeNull();
    ws.send({ type: "send", clientMsgId: "after-fuzz", body: "still here" });
    const ack = await ws.next("ack");
    expect(ack.message.body).toBe("still here");
    // No partial write: every stored message was acked (or is the seed), nothing refused was stored.
    const stored = (await api("GET", `/channels/${channel.id}/messages?limit=200`, { token: b!.token })).body.messages;
    const allowed = new Set(["seed", "after-fuzz", ...acked.keys()]);
    for (const m of stored) expect(allowed.has(m.clientMsgId), m.clientMsgId).toBe(true);
    for (const id of refused) if (!acked.has(id)) expect(stored.some((m: any) => m.clientMsgId === id), id).toBe(false);
    expect(stored.map((m: any) => m.seq)).toEqual(stored.map((_: unknown, i: number) => i + 1));
    // Stored as acked, unless a fuzzed edit or delete changed it since (its rev moved).
    for (const m of stored) {
      const first = acked.get(m.clientMsgId);
      if (first && first.rev === m.rev) expect(m.body, m.clientMsgId).toBe(first.body);
    }
    expect(runs).toBe(200);
    expect(valid, "enough accepted frames to fuzz the accepting paths").toBeGreaterThan(20);
    ws.close();
  }, 120_000);

  it("refuses binary frames with one error and keeps the socket open", async () => {
    const [a, b] = await users(2, "fzb");
    const channel = await dm(a!, b!);
    const ws = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    await ws.next("welcome");
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: MAX_FRAME_BYTES - 8, max: MAX_FRAME_BYTES + 8 }).map((n) => new Uint8Array(n))), async (bytes) => {
        const answers = await exchange(ws, bytes, 0);
        expect(answers).toHaveLength(1);
        expect(answers[0]).toMatchObject({ type: "error", code: bytes.byteLength > MAX_FRAME_BYTES ? "payload_too_large" : "bad_request" });
      }),
      { numRuns: 30 },
    );
    ws.send({ type: "send", clientMsgId: "after-binary", body: "ok" });
    expect((await ws.next("ack")).message.seq).toBe(1);
    ws.close();
  }, 60_000);
});

describe("fuzzing inbox socket frames", () => {
  it("answers every frame with one error or a pong, and stays usable", async () => {
    const [a] = await users(1, "fzi");
    const ws = await openSocket("/inbox/socket", a!.token);
    await ws.next("welcome");
    let closed = false;
    void ws.closed.then(() => (closed = true));
    await fc.assert(
      fc.asyncProperty(frameText(["ping", "send", "sync"], ["type", "clientMsgId", "body", "after"]), async (text) => {
        const verdict = judge(InboxClientFrame, text);
        const answers = await exchange(ws, text, verdict.valid ? 1 : 0);
        if (verdict.valid) expect(answers, text.slice(0, 120)).toEqual([]);
        else expectOneRefusal(answers, verdict, text.slice(0, 120));
      }),
      { numRuns: 60 },
    );
    expect(closed).toBe(false);
    ws.send({ type: "ping" });
    expect(await ws.next("pong")).toEqual({ type: "pong" });
    ws.close();
  }, 60_000);
});
