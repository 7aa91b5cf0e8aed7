// A minimal client of the channel stream, written from docs/protocol.md alone (not
// the SDK), so the fault suite tests the server's contract: an outbox resent
// with the same clientMsgId until acked, and a `sync` from the last seq held
// after every (re)connect. It records what it saw, for the checks.
import WebSocket from "ws";

export class ChannelClient {
  /**
   * @param {object} o
   * @param {string} o.baseUrl  http://host:port of the service
   * @param {string} o.token
   * @param {string} o.channelId
   * @param {string} o.name     prefix of this client's clientMsgIds, unique per device
   * @param {number} [o.reconnectMs]
   */
  constructor({ baseUrl, token, channelId, name, reconnectMs = 250 }) {
    this.url = `${baseUrl.replace(/^http/, "ws")}/api/channels/${channelId}/socket?device=${encodeURIComponent(name)}`;
    this.token = token;
    this.channelId = channelId;
    this.name = name;
    this.reconnectMs = reconnectMs;
    /** clientMsgId → body, in queue order, until acked. */
    this.outbox = new Map();
    /** Every clientMsgId ever queued → body. */
    this.sent = new Map();
    /** clientMsgId → the message of its first ack. */
    this.acks = new Map();
    /** clientMsgId → when its first ack arrived (local clock, the server's too in these tests). */
    this.ackedAt = new Map();
    /** When the connection was cut: drop() here, or a crash of the service noted by the test. */
    this.cuts = [];
    /** seq → message, from acks, live frames and history. */
    this.held = new Map();
    /** Everything that breaks the contract, as text. */
    this.violations = [];
    this.connects = 0;
    /** HTTP statuses of upgrades that were answered without a socket. */
    this.refusals = [];
    this.welcomes = 0;
    this.frameCount = { ack: 0, message: 0, history: 0, error: 0 };
    this.ws = null;
    this.ready = false;
    this.running = false;
    this.seqCounter = 0;
    /** The `after` of each sync sent on this socket and not answered yet (answers come in order). */
    this.pendingSyncs = [];
  }

  /** The highest seq up to which this client holds every message. */
  get heldUpTo() {
    let s = 0;
    while (this.held.has(s + 1)) s++;
    return s;
  }

  start() {
    this.running = true;
    this.#connect();
    return this;
  }

  /** Stops reconnecting and closes the socket. */
  stop() {
    this.running = false;
    this.ws?.close(1000, "done");
  }

  /** Drops the TCP connection without a closing handshake, as a lost network does. */
  drop() {
    this.cuts.push(Date.now());
    this.ws?.terminate();
  }

  /** Queues a message; it goes out at once if the socket is ready, else after the next welcome. */
  queue(body) {
    const clientMsgId = `${this.name}-${++this.seqCounter}`;
    this.outbox.set(clientMsgId, body);
    this.sent.set(clientMsgId, body);
    if (this.ready) this.#sendFrame({ type: "send", clientMsgId, body });
    return clientMsgId;
  }

  /** Resolves once the outbox is empty (every send acked), or rejects after `ms`. */
  async drained(ms) {
    const deadline = Date.now() + ms;
    while (this.outbox.size > 0) {
      if (Date.now() > deadline) throw new Error(`${this.name}: ${this.outbox.size} sends still unacked after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Resolves once this client holds every message up to `seq`. */
  async holds(seq, ms) {
    const deadline = Date.now() + ms;
    while (this.heldUpTo < seq) {
      if (Date.now() > deadline) throw new Error(`${this.name}: holds up to ${this.heldUpTo}, not ${seq}, after ${ms} ms`);
      if (this.ready && this.pendingSyncs.length === 0) this.#sync();
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  #connect() {
    if (!this.running) return;
    this.connects++;
    const ws = new WebSocket(this.url, ["chat.v1", `bearer.${this.token}`], { handshakeTimeout: 15_000 });
    this.ws = ws;
    ws.on("message", (data) => this.#onFrame(ws, JSON.parse(String(data))));
    ws.on("unexpected-response", (_req, res) => {
      this.refusals.push(res.statusCode);
      // During a restart the upgrade can fail; anything but a refusal of access is retried.
      if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode === 404) this.violations.push(`upgrade refused: ${res.statusCode}`);
      res.resume();
      ws.terminate();
    });
    ws.on("error", () => {}); // the close that follows reconnects
    ws.on("close", () => {
      if (this.ws !== ws) return;
      this.ready = false;
      if (this.running) setTimeout(() => this.#connect(), this.reconnectMs);
    });
  }

  #sync() {
    const after = this.heldUpTo;
    this.pendingSyncs.push(after);
    this.#sendFrame({ type: "sync", after, limit: 200 });
  }

  #sendFrame(frame) {
    try {
      this.ws.send(JSON.stringify(frame));
    } catch {
      // the socket is closing; the outbox resends after the next welcome
    }
  }

  #hold(message, how) {
    if (message.channelId !== this.channelId) this.violations.push(`${how}: message of another channel ${message.channelId}`);
    const had = this.held.get(message.seq);
    if (had && (had.id !== message.id || had.clientMsgId !== message.clientMsgId || had.body !== message.body)) {
      this.violations.push(`${how}: seq ${message.seq} was ${had.clientMsgId}, now ${message.clientMsgId}`);
    }
    this.held.set(message.seq, message);
  }

  #onFrame(ws, frame) {
    if (ws !== this.ws) return;
    switch (frame.type) {
      case "welcome": {
        this.welcomes++;
        this.ready = true;
        this.pendingSyncs = [];
        // Resume: the gap first, then every unacked send again with its own clientMsgId.
        this.#sync();
        for (const [clientMsgId, body] of this.outbox) this.#sendFrame({ type: "send", clientMsgId, body });
        return;
      }
      case "ack": {
        this.frameCount.ack++;
        const first = this.acks.get(frame.clientMsgId);
        if (first && (first.seq !== frame.message.seq || first.id !== frame.message.id)) {
          this.violations.push(`ack of ${frame.clientMsgId} changed from seq ${first.seq} to ${frame.message.seq}`);
        }
        if (frame.message.clientMsgId !== frame.clientMsgId || frame.message.body !== this.sent.get(frame.clientMsgId)) {
          this.violations.push(`ack of ${frame.clientMsgId} carries another message`);
        }
        if (!first) {
          this.acks.set(frame.clientMsgId, frame.message);
          this.ackedAt.set(frame.clientMsgId, Date.now());
        }
        this.outbox.delete(frame.clientMsgId);
        this.#hold(frame.message, "ack");
        return;
      }
      case "message":
        this.frameCount.message++;
        this.#hold(frame.message, "message");
        return;
      case "history": {
        this.frameCount.history++;
        const first = frame.messages[0];
        const after = this.pendingSyncs.shift();
        if (after === undefined) this.violations.push("history without a sync");
        // A sync answers exactly the messages after the cursor: no gap before the first.
        if (first && after !== undefined && first.seq !== after + 1) this.violations.push(`history after ${after} started at ${first.seq}`);
        frame.messages.forEach((m, i) => {
          if (i > 0 && m.seq !== frame.messages[i - 1].seq + 1) this.violations.push(`history skips from ${frame.messages[i - 1].seq} to ${m.seq}`);
          this.#hold(m, "history");
        });
        if (frame.hasMore) this.#sync();
        return;
      }
      case "error":
        this.frameCount.error++;
        if (frame.code === "rate_limited" && frame.clientMsgId) {
          const { clientMsgId } = frame;
          setTimeout(() => {
            const body = this.outbox.get(clientMsgId);
            if (body !== undefined && this.ready) this.#sendFrame({ type: "send", clientMsgId, body });
          }, frame.retryAfterMs ?? 1000);
        } else this.violations.push(`error frame: ${frame.code} ${frame.message}`);
        return;
      default:
        return; // typing, receipt, member, pong: not what these tests look at
    }
  }
}

/**
 * Sends stored before a cut whose ack only came after it: the resend on the
 * new connection was answered with the copy stored the first time.
 */
export function answeredFromFirstCopy(writer) {
  let n = 0;
  for (const [id, m] of writer.acks) {
    const at = writer.ackedAt.get(id);
    if (writer.cuts.some((cut) => m.createdAt < cut && cut < at)) n++;
  }
  return n;
}
