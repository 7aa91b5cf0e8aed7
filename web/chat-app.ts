import { ApiError, ChatClient, type ChannelConnection, type User } from "../src/client";
import { ConnectionBanner } from "./banner";
import { ChannelView } from "./channel-view";
import { openFormDialog, parseHandles } from "./dialogs";
import { h } from "./dom";
import { notificationsButton, unsubscribePush } from "./push";
import { deviceId, outboxStorage } from "./session";
import { Sidebar } from "./sidebar";

/** The signed-in app: sidebar, the open channel (from the #/c/<id> route), the connection banner. */
export class ChatApp {
  readonly #client: ChatClient;
  readonly #sidebar: Sidebar;
  readonly #banner = new ConnectionBanner();
  readonly #main = h("main", { class: "main-pane" });
  readonly #shell: HTMLElement;
  #view: ChannelView | null = null;
  #currentId: string | null = null;
  #ended = false;
  readonly #watched = new WeakSet<ChannelConnection>();
  readonly #offWindow: Array<() => void> = [];

  constructor(
    root: HTMLElement,
    token: string,
    private readonly me: User,
    private readonly onLoggedOut: () => void,
  ) {
    this.#client = new ChatClient({ baseUrl: "", token, user: me, device: deviceId(), outboxStorage });
    const inbox = this.#client.connectInbox();
    this.#sidebar = new Sidebar(me, inbox, {
      newDm: () => this.#newDm(),
      newGroup: () => this.#newGroup(),
      logout: () => void this.logout(),
      notifications: notificationsButton(this.#client.http, this.#client.device),
    });
    this.#shell = h("div", { class: "shell" }, this.#sidebar.element, this.#main);
    root.replaceChildren(this.#banner.element, this.#shell);

    inbox.events.on("change", () => this.#sidebar.render());
    inbox.events.on("presence", () => this.#sidebar.render());
    inbox.events.on("status", () => this.#updateBanner());
    inbox.events.on("closed", ({ code }) => code === 4401 && this.endSession());
    this.#offWindow.push(
      this.#client.unsent.subscribe(() => {
        this.#updateBanner();
        this.#closeIdleChannels();
      }),
    );
    this.#resumeOutbox();

    const onRoute = () => this.#route();
    window.addEventListener("hashchange", onRoute);
    this.#offWindow.push(() => window.removeEventListener("hashchange", onRoute));
    this.#route();
    this.#updateBanner();
  }

  async logout(): Promise<void> {
    await unsubscribePush(this.#client.http, this.#client.device);
    try {
      await this.#client.http.logout();
    } catch {
      // The token is dropped locally either way.
    }
    this.endSession();
  }

  /** Drops this session locally: sockets closed, back to the auth screen. */
  endSession(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#view?.destroy();
    this.#client.close();
    for (const off of this.#offWindow) off();
    this.onLoggedOut();
  }

  #route(): void {
    const match = /^#\/c\/(.+)$/.exec(location.hash);
    const channelId = match ? decodeURIComponent(match[1]!) : null;
    this.#view?.destroy();
    this.#view = null;
    this.#currentId = channelId;
    // A channel keeps its socket while it has unsent messages, so they go out when the network returns.
    this.#closeIdleChannels();
    this.#sidebar.setActive(channelId);
    this.#shell.classList.toggle("show-channel", channelId !== null);
    if (!channelId) {
      this.#showEmpty(`Hello, ${this.me.displayName}`, "Pick a conversation, or start a new one with “New direct message” or “New group”.");
      return;
    }
    const conn = this.#open(channelId);
    this.#checkChannel(channelId, conn);
    this.#view = new ChannelView(this.#client, channelId, this.me, this.#client.inbox!, {
      back: () => (location.hash = "#/"),
      addMember: (id) => this.#addMember(id),
    });
    this.#main.replaceChildren(this.#view.element);
    this.#view.focus();
    this.#updateBanner();
  }

  #showEmpty(title: string, text: string): void {
    this.#main.replaceChildren(h("div", { class: "empty-state" }, h("h2", { text: title }), h("p", { class: "muted", text })));
    this.#updateBanner();
  }

  /**
   * A socket refused for a channel one is not in looks like a network error to
   * a browser, so the channel is also asked for over HTTP: a 404 ends the attempt.
   */
  #checkChannel(channelId: string, conn: ChannelConnection): void {
    conn.refresh().then(
      () => {},
      (err) => {
        if (!(err instanceof ApiError && err.status === 404)) return;
        this.#client.closeChannel(channelId);
        if (this.#currentId !== channelId) return;
        this.#view?.destroy();
        this.#view = null;
        this.#showEmpty("Conversation not found", "It does not exist, or you are not a member of it.");
      },
    );
  }

  /** Channels with unsent messages from before a reload get their sockets back. */
  #resumeOutbox(): void {
    for (const channelId of this.#client.channelsWithUnsent()) this.#open(channelId);
  }

  /** Opens (or reuses) a channel's connection, watched by the banner once. */
  #open(channelId: string): ChannelConnection {
    const conn = this.#client.channel(channelId);
    if (!this.#watched.has(conn)) {
      this.#watched.add(conn);
      conn.events.on("status", () => this.#updateBanner());
    }
    return conn;
  }

  /** Closes background channels whose unsent messages have all gone out. */
  #closeIdleChannels(): void {
    for (const c of this.#client.openChannels()) {
      if (c.channelId !== this.#currentId && c.pending.peek().length === 0) this.#client.closeChannel(c.channelId);
    }
  }

  #updateBanner(): void {
    const inboxOpen = this.#client.inbox?.status.peek() === "open";
    const channelsOpen = this.#client.openChannels().every((c) => c.status.peek() !== "connecting");
    this.#banner.update(inboxOpen && channelsOpen, this.#client.unsent.peek());
  }

  #newDm(): void {
    openFormDialog({
      title: "New direct message",
      fields: [{ id: "handle", label: "Handle", hint: "Whose handle? For example: alice", attrs: { required: true } }],
      submitLabel: "Start chat",
      onSubmit: async ({ handle }) => {
        const channel = await this.#client.http.openDm(handle!.replace(/^@/, ""));
        location.hash = `#/c/${encodeURIComponent(channel.id)}`;
      },
    });
  }

  #newGroup(): void {
    openFormDialog({
      title: "New group",
      fields: [
        { id: "title", label: "Group name", attrs: { required: true, maxlength: 100 } },
        { id: "members", label: "Members", hint: "Handles, separated by commas or spaces" },
      ],
      submitLabel: "Create group",
      onSubmit: async ({ title, members }) => {
        const channel = await this.#client.http.createGroup({ title: title!, members: parseHandles(members ?? "") });
        location.hash = `#/c/${encodeURIComponent(channel.id)}`;
      },
    });
  }

  #addMember(channelId: string): void {
    openFormDialog({
      title: "Add member",
      fields: [{ id: "handle", label: "Handle", attrs: { required: true } }],
      submitLabel: "Add",
      onSubmit: async ({ handle }) => {
        await this.#client.channel(channelId).addMember(handle!.replace(/^@/, ""));
      },
    });
  }
}
