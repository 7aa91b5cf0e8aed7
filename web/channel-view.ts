import type { ChannelConnection, ChatClient, InboxConnection, Message, User } from "../src/client";
import { ApiError } from "../src/client";
import { MAX_MESSAGE_CHARS } from "../src/protocol";
import { avatar } from "./avatar";
import { Composer } from "./composer";
import { confirmDialog } from "./dialogs";
import { append, h, icon, ICONS } from "./dom";
import { lastSeen } from "./format";
import { MessageList } from "./message-list";
import { MessageMenu, QUICK_REACTIONS, type MenuAction } from "./message-menu";
import { channelName, dmPartner, listNames, memberName } from "./names";
import { quoteText } from "./rich-text";
import { SearchPanel } from "./search-panel";

const TYPING_SHOWN_MS = 4000;
const HIGHLIGHT_MS = 3000;

export interface ChannelViewActions {
  back(): void;
  addMember(channelId: string): void;
}

interface EditState {
  seq: number;
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
}

/**
 * One open channel: header (with search), the message log (role="log") with
 * each message's actions menu, who is typing, and the composer.
 */
export class ChannelView {
  readonly element: HTMLElement;
  readonly #conn: ChannelConnection;
  readonly #header = h("header", { class: "channel-header" });
  readonly #avatarSlot = h("span", { class: "header-avatar" });
  readonly #title = h("h2", { class: "channel-title", text: "Loading…" });
  readonly #subtitle = h("p", { class: "channel-subtitle muted" });
  readonly #addMemberButton: HTMLButtonElement;
  #avatarKey = "";
  readonly #log = h("div", { class: "message-log", role: "log", "aria-label": "Chat history", tabindex: 0 });
  readonly #list = new MessageList(this.#log);
  readonly #menu = new MessageMenu();
  readonly #search: SearchPanel;
  readonly #typing = h("p", { class: "typing", "aria-live": "polite" });
  readonly #composer: Composer;
  readonly #typers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #cleanup: Array<() => void> = [];
  #frame = 0;
  #loadingOlder = false;
  #loadingGap: number | null = null;
  #keepTop: { height: number; top: number } | null = null;
  #stickToBottom = true;
  #scrollTo: number | null = null;
  #highlight: { seq: number; timer: ReturnType<typeof setTimeout> } | null = null;
  #editing: EditState | null = null;
  #menuFor: string | null = null;
  #newestSeen = 0;

  constructor(
    client: ChatClient,
    channelId: string,
    private readonly me: User,
    private readonly inbox: InboxConnection,
    private readonly actions: ChannelViewActions,
  ) {
    this.#conn = client.channel(channelId);
    this.#newestSeen = this.#conn.messages.peek().at(-1)?.seq ?? 0;
    this.#composer = new Composer({
      send: (body, replyTo, attachments) => {
        this.#stickToBottom = true;
        this.#conn.send(body, replyTo, attachments);
      },
      uploadTarget: () => ({ baseUrl: client.http.baseUrl, token: client.http.token ?? "", channelId }),
      typing: () => this.#conn.notifyTyping(),
      members: () => this.#conn.channel.peek()?.members ?? [],
      meId: me.id,
    });
    this.#search = new SearchPanel({
      search: (q) => this.#conn.search(q),
      senderName: (id) => (id === me.id ? "You" : memberName(this.#conn.channel.peek(), id)),
      jump: (m) => void this.#jumpTo(m.seq),
    });
    this.#addMemberButton = h("button", { type: "button", class: "secondary small add-member", "aria-label": "Add member", hidden: true, onclick: () => this.actions.addMember(channelId) }, icon(ICONS.userPlus), h("span", { text: "Add member" }));
    append(
      this.#header,
      h("button", { type: "button", class: "icon-button back", "aria-label": "Back to channels", onclick: () => this.actions.back() }, icon(ICONS.back)),
      this.#avatarSlot,
      h("div", { class: "channel-heading" }, this.#title, this.#subtitle),
      this.#search.box,
      this.#addMemberButton,
    );
    this.element = h(
      "section",
      { class: "channel-view", "aria-label": "Conversation" },
      h("div", { class: "channel-top" }, this.#header, this.#search.panel),
      this.#log,
      this.#typing,
      this.#composer.element,
      this.#menu.element,
    );

    const c = this.#conn.events;
    this.#cleanup.push(
      c.on("welcome", () => this.#schedule()),
      c.on("messages", (added) => {
        for (const m of added) {
          // Only new messages end "is typing"; an edit or a reaction on an old one does not.
          if (m.seq > this.#newestSeen) this.#stopTyping(m.senderId);
          this.#newestSeen = Math.max(this.#newestSeen, m.seq);
        }
        this.#schedule();
      }),
      c.on("synced", () => this.#schedule()),
      c.on("receipt", () => this.#schedule()),
      c.on("member", () => this.#schedule()),
      c.on("typing", ({ userId }) => this.#startTyping(userId)),
      c.on("error", ({ code, message }) => this.#composer.note(code === "rate_limited" ? "Sending too fast; retrying shortly." : message)),
      c.on("closed", ({ code }) => this.#composer.note(code === 4403 ? "You are no longer a member of this conversation." : "Session ended. Log in again.")),
      this.#conn.pending.subscribe(() => this.#schedule()),
      inbox.events.on("presence", () => this.#renderHeader()),
      inbox.events.on("change", () => this.#renderHeader()),
    );
    this.#log.addEventListener("scroll", () => this.#onScroll());
    const onVisible = () => this.#markRead();
    const onResize = () => this.#menu.reanchor(this.#menuFor ? this.#list.actionsButton(this.#menuFor) : null);
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("resize", onResize);
    this.#cleanup.push(
      () => document.removeEventListener("visibilitychange", onVisible),
      () => window.removeEventListener("resize", onResize),
    );
    this.#renderHeader();
    this.#render();
  }

  focus(): void {
    this.#composer.focus();
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    for (const t of this.#typers.values()) clearTimeout(t);
    if (this.#highlight) clearTimeout(this.#highlight.timer);
    this.#menu.close();
    this.#search.close(false);
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
    const conn = this.#conn;
    // An edit whose message was deleted meanwhile (on another device) has nothing left to edit.
    if (this.#editing && conn.messageAt(this.#editing.seq)?.deleted) this.#editing = null;
    this.#list.render({
      meId: this.me.id,
      channel: this.#conn.channel.peek(),
      messages: conn.messages.peek(),
      pending: conn.pending.peek(),
      receipts: conn.receipts.peek(),
      gaps: conn.gaps.peek(),
      hasOlder: conn.hasOlder.peek(),
      loadingOlder: this.#loadingOlder,
      loadingGap: this.#loadingGap,
      editing: this.#editing,
      highlightSeq: this.#highlight?.seq ?? null,
      menuFor: this.#menuFor,
      bySeq: (seq) => conn.messageAt(seq),
      onRetry: (id) => conn.retry(id),
      onDiscard: (id) => conn.discard(id),
      onActions: (button, message) => this.#openActions(button, message),
      onReact: (message, emoji, on) => this.#react(message, emoji, on),
      onQuote: (seq) => void this.#jumpTo(seq),
      onLoadGap: (after) => this.#loadGap(after),
    });
    const target = this.#scrollTo !== null ? this.#list.row(this.#scrollTo) : null;
    this.#scrollTo = null;
    if (target) {
      // Centre the message in the log (scrollIntoView could move outer boxes too).
      const r = target.getBoundingClientRect();
      const l = log.getBoundingClientRect();
      log.scrollTop += r.top - l.top - (log.clientHeight - r.height) / 2;
      target.focus({ preventScroll: true });
    } else if (keepTop) {
      // Older messages went in above: keep what the reader was looking at in place.
      log.scrollTop = keepTop.top + (log.scrollHeight - keepTop.height);
      this.#keepTop = null;
    } else if (nearBottom || this.#stickToBottom) {
      log.scrollTop = log.scrollHeight;
    }
    this.#stickToBottom = false;
    if (this.#menuFor) this.#menu.reanchor(this.#list.actionsButton(this.#menuFor));
    this.#renderHeader();
    this.#markRead();
  }

  #renderHeader(): void {
    const channel = this.#conn.channel.peek();
    if (!channel) {
      this.#title.textContent = "Loading…";
      return;
    }
    const name = channelName(channel, this.me.id);
    const partner = dmPartner(channel, this.me.id);
    const presence = partner ? (this.inbox.presence.peek().get(partner.id) ?? this.#conn.presence.peek().get(partner.id)) : undefined;
    const subtitle = partner
      ? presence?.state === "online"
        ? "online"
        : lastSeen(presence?.lastSeenAt ?? 0)
      : `${channel.members.length} members: ${listNames(channel.members.map((m) => m.displayName).sort())}`;
    // Only what changed is touched: the search box in the same header must keep focus and text.
    if (this.#title.textContent !== name) this.#title.textContent = name;
    if (this.#subtitle.textContent !== subtitle) this.#subtitle.textContent = subtitle;
    const avatarKey = partner ? `${partner.id}|${name}|${presence?.state ?? "offline"}` : `${channel.id}|${name}`;
    if (avatarKey !== this.#avatarKey) {
      this.#avatarKey = avatarKey;
      this.#avatarSlot.replaceChildren(partner ? avatar(partner.id, name, presence?.state ?? "offline") : avatar(channel.id, name));
    }
    this.#addMemberButton.hidden = channel.kind !== "group";
  }

  #onScroll(): void {
    const log = this.#log;
    if (log.scrollTop < 120 && this.#conn.hasOlder.peek() && !this.#loadingOlder) {
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
    // A gap scrolled into view fills itself, as older history does at the top.
    const l = log.getBoundingClientRect();
    for (const gap of log.querySelectorAll<HTMLElement>(".gap")) {
      const r = gap.getBoundingClientRect();
      if (r.bottom > l.top && r.top < l.bottom) this.#loadGap(Number(gap.dataset.after));
    }
    if (this.#menuFor) this.#menu.reanchor(this.#list.actionsButton(this.#menuFor));
    this.#markRead();
  }

  #loadGap(after: number): void {
    if (this.#loadingGap !== null) return;
    this.#loadingGap = after;
    this.#schedule();
    this.#conn
      .loadGap(after)
      .catch(() => this.#composer.note("Could not load those messages."))
      .finally(() => {
        this.#loadingGap = null;
        this.#schedule();
      });
  }

  /** Read up to the newest message once it is on screen in a visible tab. */
  #markRead(): void {
    const log = this.#log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    if (!atBottom || document.visibilityState !== "visible") return;
    const newest = this.#conn.messages.peek().at(-1)?.seq ?? 0;
    if (newest > 0) this.#conn.read(newest);
  }

  /** Shows a message in context: loads the history around it if needed, scrolls to it and points it out. */
  async #jumpTo(seq: number): Promise<void> {
    this.#menu.close();
    try {
      if (!(await this.#conn.loadAround(seq))) return this.#composer.note("That message is not there any more.");
    } catch {
      return this.#composer.note("Could not load that part of the conversation.");
    }
    if (this.#highlight) clearTimeout(this.#highlight.timer);
    this.#highlight = {
      seq,
      timer: setTimeout(() => {
        this.#highlight = null;
        this.#schedule();
      }, HIGHLIGHT_MS),
    };
    this.#scrollTo = seq;
    this.#render();
  }

  #openActions(button: HTMLElement, message: Message): void {
    const actions: MenuAction[] = [
      { label: "React", icon: ICONS.smile, keepOpen: true, run: () => this.#openPicker(message) },
      { label: "Reply", icon: ICONS.reply, run: () => this.#startReply(message) },
    ];
    if (message.senderId === this.me.id) {
      actions.push(
        { label: "Edit", icon: ICONS.pencil, run: () => this.#startEdit(message) },
        { label: "Delete", icon: ICONS.trash, danger: true, run: () => void this.#confirmDelete(message) },
      );
    }
    this.#menuFor = message.id;
    this.#menu.toggleActions(button, message.id, actions, () => (this.#menuFor = null));
    if (!this.#menu.isOpen) this.#menuFor = null;
  }

  #openPicker(message: Message): void {
    const anchor = this.#list.actionsButton(message.id);
    if (!anchor) return this.#menu.close();
    const current = this.#conn.messageAt(message.seq) ?? message;
    const mine = new Set((current.reactions ?? []).filter((r) => r.userIds.includes(this.me.id)).map((r) => r.emoji));
    this.#menuFor = message.id;
    this.#menu.showPicker(
      anchor,
      message.id,
      QUICK_REACTIONS.map((r) => ({ ...r, checked: mine.has(r.emoji), run: () => this.#react(current, r.emoji, !mine.has(r.emoji)) })),
      () => (this.#menuFor = null),
    );
  }

  #react(message: Message, emoji: string, on: boolean): void {
    this.#conn.react(message.seq, emoji, on).catch((err) => this.#composer.note(problem(err, "Could not react")));
  }

  #startReply(message: Message): void {
    const name = message.senderId === this.me.id ? "yourself" : memberName(this.#conn.channel.peek(), message.senderId);
    this.#composer.replyTo({ seq: message.seq, name, text: quoteText(message.body, 200) });
  }

  #startEdit(message: Message): void {
    const input = h("textarea", { class: "edit-input", "aria-label": "Edit message", maxlength: MAX_MESSAGE_CHARS, rows: 1 });
    input.value = message.body;
    const save = h("button", { type: "submit", class: "primary small", text: "Save" });
    const cancel = h("button", { type: "button", class: "secondary small", text: "Cancel", onclick: () => this.#endEdit(message.seq) });
    const form = h(
      "form",
      { class: "edit-form" },
      input,
      h("div", { class: "edit-actions" }, h("span", { class: "muted edit-hint", text: "Enter to save, Esc to cancel" }), cancel, save),
    );
    const submit = async () => {
      const body = input.value;
      if (body.trim().length === 0 || body === message.body) return this.#endEdit(message.seq);
      save.disabled = cancel.disabled = true;
      try {
        await this.#conn.edit(message.seq, body);
        this.#endEdit(message.seq);
      } catch (err) {
        this.#composer.note(problem(err, "Could not save the edit"));
        save.disabled = cancel.disabled = false;
      }
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void submit();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void submit();
      } else if (event.key === "Escape") {
        event.preventDefault();
        this.#endEdit(message.seq);
      }
    });
    this.#editing = { seq: message.seq, form, input };
    this.#render();
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  #endEdit(seq: number): void {
    if (this.#editing?.seq !== seq) return;
    this.#editing = null;
    this.#render();
    this.#list.row(seq)?.querySelector<HTMLElement>(".msg-actions")?.focus({ preventScroll: true });
  }

  async #confirmDelete(message: Message): Promise<void> {
    const yes = await confirmDialog({ title: "Delete this message?", text: "It is removed for everyone in this conversation.", confirmLabel: "Delete" });
    if (!yes) return this.#list.actionsButton(message.id)?.focus({ preventScroll: true });
    try {
      await this.#conn.delete(message.seq);
    } catch (err) {
      this.#composer.note(problem(err, "Could not delete the message"));
    }
    this.#composer.focus();
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
    const names = [...this.#typers.keys()].map((id) => memberName(this.#conn.channel.peek(), id));
    this.#typing.textContent = names.length === 0 ? "" : `${listNames(names)} ${names.length === 1 ? "is" : "are"} typing…`;
  }
}

/** A failed edit, delete or reaction, in words. */
function problem(err: unknown, what: string): string {
  if (err instanceof ApiError) return `${what}: ${err.message}`;
  return `${what}: check your connection.`;
}
