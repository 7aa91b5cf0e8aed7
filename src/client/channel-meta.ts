import { computed, signal, type ReadonlySignal } from "@preact/signals-core";
import type { Channel, Presence, Summary, User } from "../protocol";
import type { HttpClient } from "./http-client";
import { readOnly } from "./read-only";

/**
 * A channel's own state, apart from its messages: the channel (title,
 * members, creator) and its members' presence, as the welcome, `member` and
 * `channel` frames and the member routes' answers tell it. Before a welcome
 * it is the inbox's summary of the channel, if any.
 */
export class ChannelMeta {
  readonly channel: ReadonlySignal<Channel | null>;
  readonly members: ReadonlySignal<readonly User[]>;
  readonly presence: ReadonlySignal<ReadonlyMap<string, Presence>>;
  readonly #channel = signal<Channel | null>(null);
  readonly #presence = signal<ReadonlyMap<string, Presence>>(new Map());

  constructor(
    private readonly http: HttpClient,
    private readonly channelId: string,
    summary?: ReadonlySignal<Summary | undefined>,
  ) {
    this.channel = computed(() => this.#channel.value ?? summary?.value?.channel ?? null);
    this.members = computed(() => this.#channel.value?.members ?? []);
    this.presence = readOnly(this.#presence);
  }

  welcomed(channel: Channel, presence: Presence[]): void {
    this.#channel.value = channel;
    this.#presence.value = new Map(presence.map((p) => [p.userId, p]));
  }

  /** A `channel` frame: the channel changed (renamed). */
  changed(channel: Channel): void {
    this.#channel.value = channel;
  }

  /** A `member` frame. */
  member(event: "joined" | "left", user: User): void {
    const channel = this.channel.peek();
    if (!channel) return;
    const others = channel.members.filter((m) => m.id !== user.id);
    this.#channel.value = { ...channel, members: event === "joined" ? [...others, user] : others };
  }

  async addMember(handle: string): Promise<Channel> {
    return (this.#channel.value = await this.http.addMember(this.channelId, handle));
  }

  async rename(title: string): Promise<Channel> {
    return (this.#channel.value = await this.http.renameChannel(this.channelId, title));
  }

  async removeMember(handle: string): Promise<void> {
    await this.http.removeMember(this.channelId, handle);
    const channel = this.channel.peek();
    if (channel) this.#channel.value = { ...channel, members: channel.members.filter((m) => m.handle !== handle) };
  }

  async refresh(): Promise<Channel> {
    return (this.#channel.value = await this.http.channel(this.channelId));
  }
}
