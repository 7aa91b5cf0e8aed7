import { memo } from "preact/compat";
import type { Presence, Summary, User } from "../src/client";
import { messagePreview } from "../src/protocol";
import { Avatar } from "./avatar";
import { shortStamp } from "./format";
import { Icon, ICONS } from "./icon";
import { eventText } from "./event-text";
import { channelName, dmPartner, memberName } from "./names";
import type { ComponentChildren } from "preact";

export interface SidebarProps {
  me: User;
  summaries: readonly Summary[];
  /** False while offline: nobody's presence is known then. */
  presenceKnown: boolean;
  presence: ReadonlyMap<string, Presence>;
  activeId: string | null;
  newDm(): void;
  editProfile(): void;
  newGroup(): void;
  searchAll(): void;
  logout(): void;
  /** The push opt-in control. */
  notifications: ComponentChildren;
}

/** The left column: who you are, the two "new" controls, and the channel list inside nav "Channels". */
export function Sidebar(p: SidebarProps) {
  return (
    <aside class="sidebar">
      <header class="sidebar-header">
        <span class="brand-mark" aria-hidden="true">
          ◆
        </span>
        <span class="brand-name">Edge Chat</span>
      </header>
      <div class="sidebar-actions">
        <button type="button" class="ghost" onClick={p.newDm}>
          <Icon path={ICONS.compose} />
          New direct message
        </button>
        <button type="button" class="ghost" onClick={p.newGroup}>
          <Icon path={ICONS.group} />
          New group
        </button>
        <button type="button" class="ghost" onClick={p.searchAll}>
          <Icon path={ICONS.search} />
          Search all conversations
        </button>
      </div>
      <nav aria-label="Channels" class="channel-nav">
        <ul class="channel-list">
          {p.summaries.map((s) => {
            const partner = dmPartner(s.channel, p.me.id);
            return (
              <ChannelItem
                key={s.channel.id}
                summary={s}
                meId={p.me.id}
                active={s.channel.id === p.activeId}
                presence={partner && p.presenceKnown ? (p.presence.get(partner.id)?.state ?? "offline") : undefined}
              />
            );
          })}
        </ul>
        <p class="empty-list muted" hidden={p.summaries.length > 0}>
          No conversations yet. Start one above.
        </p>
      </nav>
      <footer class="sidebar-footer">
        <div class="me">
          <button type="button" class="me-button" title="Edit profile" onClick={p.editProfile}>
            <Avatar id={p.me.id} name={p.me.displayName} />
            <span class="me-names">
              <strong>{p.me.displayName}</strong>
              <span class="muted">@{p.me.handle}</span>
              <span class="visually-hidden">: edit profile</span>
            </span>
          </button>
        </div>
        <div class="footer-actions">
          {p.notifications}
          <button type="button" class="secondary small" onClick={p.logout}>
            Log out
          </button>
        </div>
      </footer>
    </aside>
  );
}

const ChannelItem = memo(function ChannelItem({ summary, meId, active, presence }: { summary: Summary; meId: string; active: boolean; presence: "online" | "offline" | undefined }) {
  const { channel } = summary;
  const name = channelName(channel, meId);
  const partner = dmPartner(channel, meId);
  const unread = active ? 0 : summary.unread;
  const mentions = active ? 0 : (summary.mentions ?? 0);
  const last = summary.lastMessage;
  return (
    <li>
      <a href={`#/c/${encodeURIComponent(channel.id)}`} class={`channel-item${unread > 0 ? " has-unread" : ""}`} aria-current={active ? "page" : undefined}>
        {partner ? <Avatar id={partner.id} name={name} presence={presence} /> : <Avatar id={channel.id} name={name} />}
        <span class="item-main">
          <span class="item-row">
            <span class="item-name">{name}</span>
            {last ? <time class="item-time">{shortStamp(last.createdAt)}</time> : null}
          </span>
          <span class="item-row">
            <span class="item-preview">{preview(summary, meId)}</span>
            {mentions > 0 ? (
              <span class="badge mention-badge" aria-label={`${mentions} ${mentions === 1 ? "mention" : "mentions"}`} title="You were mentioned">
                @
              </span>
            ) : null}
            {unread > 0 ? (
              <span class="badge" aria-label={`${unread} unread`}>
                {unread > 99 ? "99+" : String(unread)}
              </span>
            ) : null}
          </span>
        </span>
      </a>
    </li>
  );
});

function preview(summary: Summary, meId: string): string {
  const last = summary.lastMessage;
  if (!last) return summary.channel.kind === "group" ? `${summary.channel.members.length} members` : "No messages yet";
  if (last.event) return eventText(last.event, meId);
  // The server holds only ciphertext, and the list does not decrypt: it says what it is.
  if (last.mls) return last.mls.kind === "application" ? "Encrypted message" : "End-to-end encrypted";
  // A message of files alone says what it carries ("Photo", "File: a.pdf").
  const text = last.deleted ? "Message deleted" : messagePreview(last).replace(/\s+/g, " ").trim();
  if (last.senderId === meId) return `You: ${text}`;
  if (summary.channel.kind === "group") return `${memberName(summary.channel, last.senderId).split(" ")[0]}: ${text}`;
  return text;
}
