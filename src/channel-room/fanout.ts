import { BATCH_TAG, trySend } from "../sockets/attachment";

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
 * protocol says. One send per socket per burst instead of one per message is
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
    const excluded = new Map<string, Set<WebSocket>>();
    for (const o of queue) {
      if (o.exceptUser !== undefined && !excluded.has(o.exceptUser)) excluded.set(o.exceptUser, new Set(this.ctx.getWebSockets(`u:${o.exceptUser}`)));
    }
    const frames = new Map<string, string>();
    // Sockets with a frame of their own (the sender's ack) go first: order matters within a socket, not across them.
    const own = [...new Set(queue.flatMap((o) => (o.to ? [o.to] : [])))];
    const sockets = queue.every((o) => o.to) ? own : [...own, ...this.ctx.getWebSockets().filter((ws) => !own.includes(ws))];
    for (const ws of sockets) {
      const batches = batching.has(ws);
      let run: number[] = [];
      const endRun = () => {
        if (run.length === 0) return;
        trySend(ws, run.length === 1 ? queue[run[0]!]!.data : batchFrame(queue, run, frames));
        run = [];
      };
      for (let i = 0; i < queue.length; i++) {
        const o = queue[i]!;
        if (o.to ? o.to !== ws : o.skip === ws || (o.exceptUser !== undefined && excluded.get(o.exceptUser)!.has(ws))) continue;
        if (batches && o.message !== undefined) {
          run.push(i);
          continue;
        }
        endRun();
        trySend(ws, o.data);
      }
      endRun();
    }
  }
}

/** One `messages` frame for these queue entries; sockets that get the same entries share the string. */
function batchFrame(queue: Outgoing[], run: number[], frames: Map<string, string>): string {
  const key = run.join(",");
  let frame = frames.get(key);
  if (frame === undefined) {
    frame = `{"type":"messages","messages":[${run.map((i) => queue[i]!.message).join(",")}]}`;
    frames.set(key, frame);
  }
  return frame;
}
