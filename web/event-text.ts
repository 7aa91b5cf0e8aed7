import type { TimelineEvent, UserRef } from "../src/protocol";

/** A timeline line as the reader sees it: "Ana added Bo", "You left", "Ana renamed the group to “Trip”", "Bo is now the group's creator". */
export function eventText(event: TimelineEvent, meId: string): string {
  const name = (u: UserRef, start: boolean) => (u.id === meId ? (start ? "You" : "you") : u.displayName);
  const actor = name(event.actor, true);
  switch (event.type) {
    case "added":
      return `${actor} added ${name(event.user, false)}`;
    case "removed":
      return `${actor} removed ${name(event.user, false)}`;
    case "left":
      return `${actor} left`;
    case "renamed":
      return `${actor} renamed the group to “${event.title}”`;
    case "creator":
      return `${name(event.user, true)} ${event.user.id === meId ? "are" : "is"} now the group's creator`;
  }
}
