import type { InboxConnection, Summary, User } from "../src/client";
import { messagePreview } from "../src/protocol/preview";
import { avatar } from "./avatar";
import { h, icon, ICONS } from "./dom";
import { shortStamp } from "./format";
import { channelName, dmPartner, memberName } from "./names";

export interface SidebarActions {
  newDm(): void;
  newGroup(): void;
  logout(): void;
  /** The push opt-in control; the app wires it to the service worker. */
  notifications: HTMLElement;
}

/** The left column: who you are, the two "new" controls, and the channel list inside nav "Channels". */
export class Sidebar {
  readonly element: HTMLElement;
  readonly #list = h("ul", { class: "channel-list" });
  readonly #empty = h("p", { class: "empty-list muted", text: "No conversations yet. Start one above." });
  #activeId: string | null = null;

  constructor(
    private readonly me: User,
    private readonly inbox: InboxConnection,
    actions: SidebarActions,
  ) {
    this.element = h(
      "aside",
      { class: "sidebar" },
      h(
        "header",
        { class: "sidebar-header" },
        h("span", { class: "brand-mark", "aria-hidden": "true", text: "◆" }),
        h("span", { class: "brand-name", text: "Edge Chat" }),
      ),
      h(
        "div",
        { class: "sidebar-actions" },
        h("button", { type: "button", class: "ghost", onclick: () => actions.newDm() }, icon(ICONS.compose), "New direct message"),
        h("button", { type: "button", class: "ghost", onclick: () => actions.newGroup() }, icon(ICONS.group), "New group"),
      ),
      h("nav", { "aria-label": "Channels", class: "channel-nav" }, this.#list, this.#empty),
      h(
        "footer",
        { class: "sidebar-footer" },
        h(
          "div",
          { class: "me" },
          avatar(me.id, me.displayName),
          h("div", { class: "me-names" }, h("strong", { text: me.displayName }), h("span", { class: "muted", text: `@${me.handle}` })),
        ),
        h("div", { class: "footer-actions" }, actions.notifications, h("button", { type: "button", class: "secondary small", onclick: () => actions.logout(), text: "Log out" })),
      ),
    );
    this.render();
  }

  setActive(channelId: string | null): void {
    this.#activeId = channelId;
    this.render();
  }

  render(): void {
    const summaries = this.inbox.summaries.peek();
    this.#empty.hidden = summaries.length > 0;
    this.#list.replaceChildren(...summaries.map((s) => this.#item(s)));
  }

  #item(summary: Summary): HTMLElement {
    const { channel } = summary;
    const name = channelName(channel, this.me.id);
    const partner = dmPartner(channel, this.me.id);
    const presence = partner ? (this.inbox.presence.peek().get(partner.id)?.state ?? "offline") : undefined;
    const active = channel.id === this.#activeId;
    const unread = active ? 0 : summary.unread;
    const mentions = active ? 0 : (summary.mentions ?? 0);
    const last = summary.lastMessage;
    return h(
      "li",
      {},
      h(
        "a",
        { href: `#/c/${encodeURIComponent(channel.id)}`, class: `channel-item${unread > 0 ? " has-unread" : ""}`, "aria-current": active ? "page" : null },
        partner ? avatar(partner.id, name, presence) : avatar(channel.id, name),
        h(
          "span",
          { class: "item-main" },
          h("span", { class: "item-row" }, h("span", { class: "item-name", text: name }), last ? h("time", { class: "item-time", text: shortStamp(last.createdAt) }) : null),
          h(
            "span",
            { class: "item-row" },
            h("span", { class: "item-preview", text: this.#preview(summary) }),
            mentions > 0
              ? h("span", { class: "badge mention-badge", "aria-label": `${mentions} ${mentions === 1 ? "mention" : "mentions"}`, title: "You were mentioned", text: "@" })
              : null,
            unread > 0 ? h("span", { class: "badge", "aria-label": `${unread} unread`, text: unread > 99 ? "99+" : String(unread) }) : null,
          ),
        ),
      ),
    );
  }

  #preview(summary: Summary): string {
    const last = summary.lastMessage;
    if (!last) return summary.channel.kind === "group" ? `${summary.channel.members.length} members` : "No messages yet";
    const text = last.deleted ? "Message deleted" : messagePreview(last).replace(/\s+/g, " ").trim();
    if (last.senderId === this.me.id) return `You: ${text}`;
    if (summary.channel.kind === "group") return `${memberName(summary.channel, last.senderId).split(" ")[0]}: ${text}`;
    return text;
  }
}
