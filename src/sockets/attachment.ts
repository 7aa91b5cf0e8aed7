import * as v from "valibot";
import { BOOKMARK_HEADER, BookmarkSchema } from "../protocol";
import { SOCKET_PROTOCOL } from "../protocol/socket";

/** What a socket carries across hibernation: who it is and which device. */
export const SocketAttachment = v.object({
  userId: v.string(),
  sessionId: v.string(),
  device: v.string(),
  connectedAt: v.number(),
  /** The client asked for `messages` batch frames (`batch=1` or `batch=2` on connect). */
  batch: v.optional(v.boolean()),
  /** The client also takes `frames` frames, any frames at once (`batch=2`). */
  frames: v.optional(v.boolean()),
  /** When the socket's session expires: the socket closes with 4401 then. */
  expiresAt: v.optional(v.number()),
});
export type SocketAttachment = v.InferOutput<typeof SocketAttachment>;

/**
 * Parsed once per socket object and kept: a busy room reads attachments on
 * every drain and alarm, and the parse was a visible share of its CPU. A
 * wake from hibernation brings new socket objects, so nothing goes stale.
 */
const parsed = new WeakMap<WebSocket, SocketAttachment | null>();

export function attachmentOf(ws: WebSocket): SocketAttachment | null {
  const known = parsed.get(ws);
  if (known !== undefined) return known;
  const result = v.safeParse(SocketAttachment, ws.deserializeAttachment());
  const attachment = result.success ? result.output : null;
  parsed.set(ws, attachment);
  return attachment;
}

/** Stores what the socket carries across hibernation (once, when it is accepted). */
export function attach(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
  parsed.set(ws, attachment);
}

/** The tag of sockets that take `messages` batch frames. */
export const BATCH_TAG = "batch";
/** The tag of sockets that also take `frames` frames. */
export const FRAMES_TAG = "frames";

/** Tags let the runtime find a user's or a session's sockets (or the batching ones) without waking them all. */
export function socketTags(a: SocketAttachment): string[] {
  return [`u:${a.userId}`, `s:${a.sessionId}`, ...(a.batch ? [BATCH_TAG] : []), ...(a.frames ? [FRAMES_TAG] : [])];
}

/** The devices of these sockets that are open. */
export function openDevices(sockets: WebSocket[]): Set<string> {
  const devices = new Set<string>();
  for (const ws of sockets) {
    const device = ws.readyState === WebSocket.OPEN ? attachmentOf(ws)?.device : undefined;
    if (device) devices.add(device);
  }
  return devices;
}

/** Sends to an open socket; a socket that is gone is simply skipped. */
export function trySend(ws: WebSocket, data: string): void {
  try {
    ws.send(data);
  } catch {
    // closed between listing and sending: nothing to deliver
  }
}

/** The headers the Worker sets when it forwards an authenticated upgrade to an object. */
export const FORWARDED = { user: "X-Chat-User", session: "X-Chat-Session", device: "X-Chat-Device", batch: "X-Chat-Batch", expires: "X-Chat-Session-Expires" } as const;

export function forwardedIdentity(req: Request): Omit<SocketAttachment, "connectedAt"> | null {
  const userId = req.headers.get(FORWARDED.user);
  const sessionId = req.headers.get(FORWARDED.session);
  const device = req.headers.get(FORWARDED.device);
  const expiresAt = Number(req.headers.get(FORWARDED.expires) ?? NaN);
  if (!userId || !sessionId || !device || !Number.isSafeInteger(expiresAt)) return null;
  const who = { userId, sessionId, device, expiresAt };
  const batch = req.headers.get(FORWARDED.batch);
  if (batch === "2") return { ...who, batch: true, frames: true };
  return batch === "1" ? { ...who, batch: true } : who;
}

/** The D1 bookmark the Worker forwarded with an upgrade, if it has the shape of one. */
export function forwardedBookmark(req: Request): string | undefined {
  const parsed = v.safeParse(BookmarkSchema, req.headers.get(BOOKMARK_HEADER));
  return parsed.success ? parsed.output : undefined;
}

/** Answers an upgrade with a new hibernatable pair; `chat.v1` is echoed when the client offered it. */
export function upgradeResponse(req: Request, client: WebSocket): Response {
  const offered = (req.headers.get("Sec-WebSocket-Protocol") ?? "").split(",").map((p) => p.trim());
  const headers = offered.includes(SOCKET_PROTOCOL) ? { "Sec-WebSocket-Protocol": SOCKET_PROTOCOL } : undefined;
  return new Response(null, { status: 101, webSocket: client, headers });
}
