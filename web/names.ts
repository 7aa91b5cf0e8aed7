import type { Channel, User } from "../src/client";

/** The other member of a DM (or the user themself in a DM with oneself). */
export function dmPartner(channel: Channel, meId: string): User | undefined {
  if (channel.kind !== "dm") return undefined;
  return channel.members.find((m) => m.id !== meId) ?? channel.members[0];
}

/** What a channel is called on screen: a DM by its partner, a group by its title. */
export function channelName(channel: Channel, meId: string): string {
  if (channel.kind === "dm") return dmPartner(channel, meId)?.displayName ?? "Direct message";
  return channel.title || "Untitled group";
}

/** A member's display name, with their @handle when another member of the channel shows the same name (so nobody can pose as another). */
export function memberName(channel: Channel | null, userId: string): string {
  const member = channel?.members.find((m) => m.id === userId);
  if (!member) return "Someone";
  const same = (name: string) => name.normalize("NFKC").toLowerCase() === member.displayName.normalize("NFKC").toLowerCase();
  const shared = channel!.members.some((m) => m.id !== userId && same(m.displayName));
  return shared ? `${member.displayName} (@${member.handle})` : member.displayName;
}

/** "Ann", "Ann and Bo", "Ann, Bo and Cy". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
