import type { Channel, InboxServerFrame, Presence, Summary, User } from "../protocol";
import { InboxServerFrame as InboxServerFrameSchema } from "../protocol";
import type { ConnectionStatus } from "./connection-status";
import { Emitter } from "./emitter";
import { FrameSocket, type SocketOptions } from "./frame-socket";
import type { HttpClient } from "./http-client";

export interface InboxConnectionOptions extends SocketOptions {
  http: HttpClient;
  device: string;
}

export type InboxEvents = {
  status: ConnectionStatus;
  welcome: { user: User; channels: Summary[] };
  summary: Summary;
  presence: Presence;
  channel: { event: "added" | "removed"; channel: Channel };
  /** Any change to `summaries` (welcome, summary, channel added or removed). */
  change: void;
  error: { code: string; message: string };
  closed: { code: number; reason: string };
};

/** The user's inbox socket for one device: channel summaries, unread counts and DM partners' presence. */
export class InboxConnection {
  readonly events = new Emitter<InboxEvents>();
  user: User | null = null;
  readonly summaries = new Map<string, Summary>();
  readonly presence = new Map<string, Presence>();
  status: ConnectionStatus = "connecting";
  readonly #socket: FrameSocket<InboxServerFrame>;

  constructor(options: InboxConnectionOptions) {
    const token = options.http.token;
    if (!token) throw new Error("log in before opening the inbox");
    this.#socket = new FrameSocket(
      options.http.socketUrl("/inbox/socket", options.device),
      token,
      InboxServerFrameSchema,
      {
        onOpen: () => {},
        onFrame: (frame) => this.#onFrame(frame),
        onClose: (code, reason, willReconnect) => {
          this.#setStatus(willReconnect ? "connecting" : "closed");
          if (!willReconnect && code !== 1000) this.events.emit("closed", { code, reason });
        },
        onInvalid: () => this.events.emit("error", { code: "bad_frame", message: "the server sent a frame outside the protocol" }),
      },
      options,
    );
  }

  /** Summaries, most recent activity first. */
  sortedSummaries(): Summary[] {
    return [...this.summaries.values()].sort((a, b) => activityOf(b) - activityOf(a));
  }

  /** Records presence learnt elsewhere (GET /presence, a channel's welcome). */
  notePresence(list: readonly Presence[]): void {
    for (const p of list) this.#setPresence(p);
  }

  reconnect(): void {
    this.#socket.reconnect();
  }

  close(): void {
    this.#socket.close();
    this.#setStatus("closed");
  }

  #onFrame(frame: InboxServerFrame): void {
    switch (frame.type) {
      case "welcome":
        this.user = frame.user;
        this.summaries.clear();
        for (const s of frame.channels) this.summaries.set(s.channel.id, s);
        this.#setStatus("open");
        this.events.emit("welcome", { user: frame.user, channels: frame.channels });
        this.events.emit("change", undefined);
        return;
      case "summary":
        this.summaries.set(frame.summary.channel.id, frame.summary);
        this.events.emit("summary", frame.summary);
        this.events.emit("change", undefined);
        return;
      case "presence":
        this.#setPresence(frame.presence);
        return;
      case "channel":
        if (frame.event === "removed") this.summaries.delete(frame.channel.id);
        else if (!this.summaries.has(frame.channel.id)) {
          this.summaries.set(frame.channel.id, { channel: frame.channel, lastMessage: null, lastSeq: 0, readSeq: 0, unread: 0 });
        }
        this.events.emit("channel", { event: frame.event, channel: frame.channel });
        this.events.emit("change", undefined);
        return;
      case "error":
        this.events.emit("error", { code: frame.code, message: frame.message });
        return;
      case "pong":
        return;
    }
  }

  #setPresence(p: Presence): void {
    const old = this.presence.get(p.userId);
    if (old && old.state === p.state && old.lastSeenAt === p.lastSeenAt) return;
    this.presence.set(p.userId, p);
    this.events.emit("presence", p);
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.status === status || this.status === "closed") return;
    this.status = status;
    this.events.emit("status", status);
  }
}

function activityOf(s: Summary): number {
  return s.lastMessage?.createdAt ?? s.channel.createdAt;
}
