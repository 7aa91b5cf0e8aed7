import type { ChannelConnection, ChatClient, InboxConnection, User } from "../src/client";
import { avatar } from "./avatar";
import { composer } from "./composer";
import { h, icon, ICONS, replaceChildren } from "./dom";
import { lastSeen } from "./format";
import { renderMessageList } from "./message-list";
import { channelName, dmPartner, listNames, memberName } from "./names";

const TYPING_SHOWN_MS = 4000;

export interface ChannelViewActions {
  back(): void;
  addMember(channelId: string): void;
}

/** One open channel: header, the message log (role="log"), who is typing, and the composer. */
export class ChannelView {
  readonly element: HTMLElement;
  readonly #conn: ChannelConnection;
  readonly #header = h("header", { class: "channel-header" });
  readonly #log = h("div", { class: "message-log", role: "log", "aria-label": "Chat history", tabindex: 0 });
  readonly #typing = h("p", { class: "typing", "aria-live": "polite" });
  readonly #composer;
  readonly #typers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #cleanup: Array<() => void> = [];
  #frame = 0;
  #loadingOlder = false;
  #keepTop: { height: number; top: number } | null = null;
  #stickToBottom = true;

  constructor(
    client: ChatClient,
    channelId: string,
    private readonly me: User,
    private readonly inbox: InboxConnection,
    private readonly actions: ChannelViewActions,
  ) {
    this.#conn = client.channel(channelId);
    this.#conn.channel ??= inbox.summaries.get(channelId)?.channel ?? null;
    this.#composer = composer({
      send: (body) => {
        this.#stickToBottom = true;
        this.#conn.send(body);
      },
      typing: () => this.#conn.typing(),
    });
    this.element = h("section", { class: "channel-view", "aria-label": "Conversation" }, this.#header, this.#log, this.#typing, this.#composer.element);

    const c = this.#conn.events;
    this.#cleanup.push(
      c.on("welcome", () => this.#schedule()),
      c.on("messages", (added) => {
        for (const m of added) this.#stopTyping(m.senderId);
        this.#schedule();
      }),
      c.on("synced", () => this.#schedule()),
      c.on("receipt", () => this.#schedule()),
      c.on("member", () => this.#schedule()),
      c.on("typing", ({ userId }) => this.#startTyping(userId)),
      c.on("error", ({ code, message }) => this.#composer.note(code === "rate_limited" ? "Sending too fast; retrying shortly." : message)),
      c.on("closed", ({ code }) => this.#composer.note(code === 4403 ? "You are no longer a member of this conversation." : "Session ended. Log in again.")),
      this.#conn.outbox.events.on("change", ({ channelId: id }) => id === channelId && this.#schedule()),
      inbox.events.on("presence", () => this.#renderHeader()),
      inbox.events.on("change", () => this.#renderHeader()),
    );
    this.#log.addEventListener("scroll", () => this.#onScroll());
    const onVisible = () => this.#markRead();
    document.addEventListener("visibilitychange", onVisible);
    this.#cleanup.push(() => document.removeEventListener("visibilitychange", onVisible));
    this.#renderHeader();
    this.#render();
  }

  focus(): void {
    this.#composer.focus();
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    for (const t of this.#typers.values()) clearTimeout(t);
    for (const off of this.#cleanup) off();
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  #render(): void {
    const log = this.#log;
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    const keepTop = this.#keepTop;
    renderMessageList(log, {
      meId: this.me.id,
      channel: this.#conn.channel,
      messages: this.#conn.messages.list(),
      pending: this.#conn.pending(),
      receipts: this.#conn.receipts,
      hasOlder: this.#conn.hasOlder,
      loadingOlder: this.#loadingOlder,
      onRetry: (id) => this.#conn.outbox.retry(id),
      onDiscard: (id) => this.#conn.outbox.discard(id),
    });
    if (keepTop) {
      // Older messages went in above: keep what the reader was looking at in place.
      log.scrollTop = keepTop.top + (log.scrollHeight - keepTop.height);
      this.#keepTop = null;
    } else if (nearBottom || this.#stickToBottom) {
      log.scrollTop = log.scrollHeight;
    }
    this.#stickToBottom = false;
    this.#renderHeader();
    this.#markRead();
  }

  #renderHeader(): void {
    const channel = this.#conn.channel;
    const back = h("button", { type: "button", class: "icon-button back", "aria-label": "Back to channels", onclick: () => this.actions.back() }, icon(ICONS.back));
    if (!channel) {
      replaceChildren(this.#header, back, h("h2", { class: "channel-title", text: "Loading…" }));
      return;
    }
    const name = channelName(channel, this.me.id);
    const partner = dmPartner(channel, this.me.id);
    const presence = partner ? (this.inbox.presence.get(partner.id) ?? this.#conn.presence.get(partner.id)) : undefined;
    const subtitle = partner
      ? presence?.state === "online"
        ? "online"
        : lastSeen(presence?.lastSeenAt ?? 0)
      : `${channel.members.length} members: ${listNames(channel.members.map((m) => m.displayName).sort())}`;
    replaceChildren(
      this.#header,
      back,
      partner ? avatar(partner.id, name, presence?.state ?? "offline") : avatar(channel.id, name),
      h("div", { class: "channel-heading" }, h("h2", { class: "channel-title", text: name }), h("p", { class: "channel-subtitle muted", text: subtitle })),
      channel.kind === "group"
        ? h("button", { type: "button", class: "secondary small", onclick: () => this.actions.addMember(channel.id) }, icon(ICONS.userPlus), "Add member")
        : null,
    );
  }

  #onScroll(): void {
    const log = this.#log;
    if (log.scrollTop < 120 && this.#conn.hasOlder && !this.#loadingOlder) {
      this.#loadingOlder = true;
      this.#keepTop = { height: log.scrollHeight, top: log.scrollTop };
      this.#render();
      this.#conn
        .loadOlder()
        .catch(() => this.#composer.note("Could not load older messages."))
        .finally(() => {
          this.#loadingOlder = false;
          this.#keepTop = { height: log.scrollHeight, top: log.scrollTop };
          this.#render();
        });
    }
    this.#markRead();
  }

  /** Read up to the newest message once it is on screen in a visible tab. */
  #markRead(): void {
    const log = this.#log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    if (!atBottom || document.visibilityState !== "visible") return;
    const newest = this.#conn.messages.newestSeq;
    if (newest > 0) this.#conn.read(newest);
  }

  #startTyping(userId: string): void {
    clearTimeout(this.#typers.get(userId));
    this.#typers.set(userId, setTimeout(() => this.#stopTyping(userId), TYPING_SHOWN_MS));
    this.#renderTyping();
  }

  #stopTyping(userId: string): void {
    if (!this.#typers.has(userId)) return;
    clearTimeout(this.#typers.get(userId));
    this.#typers.delete(userId);
    this.#renderTyping();
  }

  #renderTyping(): void {
    const names = [...this.#typers.keys()].map((id) => memberName(this.#conn.channel, id));
    this.#typing.textContent = names.length === 0 ? "" : `${listNames(names)} ${names.length === 1 ? "is" : "are"} typing…`;
  }
}
