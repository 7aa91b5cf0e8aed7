import type { Presence } from "../protocol";

const TTL_MS = 5_000;

/**
 * Members' presence for welcome frames, read from their UserHubs and kept a
 * few seconds, so a burst of connects costs one read per member, not one per socket.
 */
export class PresenceCache {
  private readonly entries = new Map<string, { presence: Presence; at: number }>();

  constructor(private readonly read: (userId: string) => Promise<Presence>) {}

  async get(userIds: string[], now = Date.now()): Promise<Presence[]> {
    return Promise.all(
      userIds.map(async (userId) => {
        const hit = this.entries.get(userId);
        if (hit && now - hit.at < TTL_MS) return hit.presence;
        try {
          const presence = await this.read(userId);
          this.entries.set(userId, { presence, at: now });
          return presence;
        } catch {
          return { userId, state: "offline" as const, lastSeenAt: 0 };
        }
      }),
    );
  }
}
