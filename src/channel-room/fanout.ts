import { BATCH_TAG, FRAMES_TAG, trySend } from "../sockets/attachment";

/** One frame on its way to the room's sockets. */
interface Outgoing {
  data: string;
  /** Only this socket (an ack, an error, a sync page). */
  to?: WebSocket;
  /** Every socket but this one (the sender of a message). */
  skip?: WebSocket | null;
  /** Every socket but this user's. */
  exceptUser?: string;
  /** A `message` frame: its message's JSON, which a batch frame carries as it is. */
  message?: string;
}

/**
 * The room's outgoing frames, in one queue so every socket sees them in the
 * order they were made. Frames made while the room is busy (before the
 * queue's task runs) leave together: a socket that asked for batches
 * (`batch=1` on connect, tagged BATCH_TAG) gets consecutive messages as one
 * `messages` frame, others one `message` frame each, as the baseline
 * protocol says; a socket that asked for any frames at once (`batch=2`,
 * FRAMES_TAG) gets everything of the burst as one `frames` frame. One send
 * per socket per burst instead of one per frame is
 * what keeps a busy channel's fan-out cheap (the runtime's cost is per send).
 * Durability is untouched: the output gate holds every send until the writes
 * before it are durable, whenever it leaves.
 */
export class Fanout {
  #queue: Outgoing[] = [];
  #scheduled = false;

  constructor(private readonly ctx: DurableObjectState) {}

  toOne(ws: WebSocket, data: string): void {
    this.#push({ data, to: ws });
  }

  toAll(data: string, options: { skip?: WebSocket | null; exceptUser?: string } = {}): void {
    this.#push({ data, ...options });
  }

  /** The sender's ack of a stored message; `messageJson` is JSON.stringify(message), shared with the broadcast. */
  ack(ws: WebSocket, clientMsgId: string, messageJson: string): void {
    this.toOne(ws, `{"type":"ack","clientMsgId":${JSON.stringify(clientMsgId)},"message":${messageJson}}`);
  }

  /** A new message for everyone but its sender's socket; `messageJson` is JSON.stringify(message). */
  message(messageJson: string, skip: WebSocket | null): void {
    this.#push({ data: `{"type":"message","message":${messageJson}}`, skip, message: messageJson });
  }

  #push(o: Outgoing): void {
    this.#queue.push(o);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A task, not a microtask: frames that are already waiting for the room get in first.
    setTimeout(() => this.flush(), 0);
  }

  /** Sends everything queued now (before a close, or before a new socket is accepted). */
  flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    const batching = new Set(this.ctx.getWebSockets(BATCH_TAG));
    const framing = new Set(this.ctx.getWebSockets(FRAMES_TAG));
    const excluded = new Map<string, Set<WebSocket>>();
    for (const o of queue) {
      if (o.exceptUser !== undefined && !excluded.has(o.exceptUser)) excluded.set(o.exceptUser, new Set(this.ctx.getWebSockets(`u:${o.exceptUser}`)));
    }
    const built = new Map<string, string>();
    // Sockets with a frame of their own (the sender's ack) go first: order matters within a socket, not across them.
    const own = [...new Set(queue.flatMap((o) => (o.to ? [o.to] : [])))];
    const sockets = queue.every((o) => o.to) ? own : [...own, ...this.ctx.getWebSockets().filter((ws) => !own.includes(ws))];
    for (const ws of sockets) {
      const parts = framesFor(ws, queue, batching.has(ws), excluded);
      if (parts.length === 0) continue;
      if (parts.length === 1 || !framing.has(ws)) {
        for (const part of parts) trySend(ws, frameOf(queue, part, built));
        continue;
      }
      // Sockets that get the same frames share one string: most of the room's sockets, most of the time.
      const key = `f${parts.map((p) => p.join(",")).join("|")}`;
      let frame = built.get(key);
      if (frame === undefined) {
        frame = `{"type":"frames","frames":[${parts.map((p) => frameOf(queue, p, built)).join(",")}]}`;
        built.set(key, frame);
      }
      trySend(ws, frame);
    }
  }
}

/**
 * The frames this socket gets from the queue, in order, each as the queue
 * entries it carries: one entry, or (for a socket that takes batches) a run
 * of consecutive messages that becomes one `messages` frame.
 */
function framesFor(ws: WebSocket, queue: Outgoing[], batches: boolean, excluded: Map<string, Set<WebSocket>>): number[][] {
  const parts: number[][] = [];
  let run: number[] | null = null;
  for (let i = 0; i < queue.length; i++) {
    const o = queue[i]!;
    if (o.to ? o.to !== ws : o.skip === ws || (o.exceptUser !== undefined && excluded.get(o.exceptUser)!.has(ws))) continue;
    if (batches && o.message !== undefined) {
      if (run) run.push(i);
      else parts.push((run = [i]));
      continue;
    }
    run = null;
    parts.push([i]);
  }
  return parts;
}

/** One frame for these queue entries: the entry's own frame, or one `messages` frame for a run of messages. */
function frameOf(queue: Outgoing[], part: number[], built: Map<string, string>): string {
  if (part.length === 1) return queue[part[0]!]!.data;
  const key = part.join(",");
  let frame = built.get(key);
  if (frame === undefined) {
    frame = `{"type":"messages","messages":[${part.map((i) => queue[i]!.message).join(",")}]}`;
    built.set(key, frame);
  }
  return frame;
}
