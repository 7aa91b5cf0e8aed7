import type { ComponentChildren } from "preact";
import type { Channel, Presence } from "../src/client";
import { Avatar } from "./avatar";
import { lastSeen } from "./format";
import { Icon, ICONS } from "./icon";
import { channelName, dmPartner, listNames } from "./names";

/** A conversation's header: back (on phones), avatar, name (with a lock that opens the safety codes when end-to-end encrypted), presence or members, search, and "Add member" in groups. */
export function ChannelHeader(p: { channel: Channel | null; meId: string; presence: Presence | undefined; presenceKnown: boolean; search: ComponentChildren; back(): void; addMember(): void; members(): void; membersOpen: boolean; verify(): void }) {
  const { channel } = p;
  const name = channel ? channelName(channel, p.meId) : "Loading…";
  const partner = channel ? dmPartner(channel, p.meId) : undefined;
  const subtitle = !channel
    ? ""
    : partner
      ? !p.presenceKnown
        ? "presence unknown while offline"
        : p.presence?.state === "online"
        ? "online"
        : lastSeen(p.presence?.lastSeenAt ?? 0)
      : `${channel.members.length} members: ${listNames(channel.members.map((m) => m.displayName).sort())}`;
  return (
    <header class="channel-header">
      <button type="button" class="icon-button back" aria-label="Back to channels" onClick={p.back}>
        <Icon path={ICONS.back} />
      </button>
      <span class="header-avatar">
        {channel ? partner ? <Avatar id={partner.id} name={name} presence={p.presenceKnown ? (p.presence?.state ?? "offline") : undefined} /> : <Avatar id={channel.id} name={name} /> : null}
      </span>
      <div class="channel-heading">
        <h2 class="channel-title">
          {name}
          {channel?.encrypted ? (
            <button type="button" class="icon-button lock" aria-label="End-to-end encrypted" title="End-to-end encrypted: compare safety codes" onClick={p.verify}>
              <Icon path={ICONS.lock} />
            </button>
          ) : null}
        </h2>
        <p class="channel-subtitle muted">{subtitle}</p>
      </div>
      {p.search}
      <button type="button" class="secondary small" aria-expanded={p.membersOpen ? "true" : "false"} hidden={channel?.kind !== "group"} onClick={p.members}>
        <Icon path={ICONS.group} />
        <span>Members</span>
      </button>
      <button type="button" class="secondary small add-member" aria-label="Add member" hidden={channel?.kind !== "group"} onClick={p.addMember}>
        <Icon path={ICONS.userPlus} />
        <span>Add member</span>
      </button>
    </header>
  );
}
