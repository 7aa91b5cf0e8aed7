import { computed, signal, type ReadonlySignal } from "@preact/signals";
import type { ChannelConnection, ChatClient, ConnectionStatus, InboxConnection, Message, PendingSend, Presence, Summary } from "../src/client";
import type { Channel } from "../src/protocol";

/**
 * The only place the app reads the SDK: its state as read-only signals. The
 * SDK's objects change in place and say so by events; each event bumps a
 * version signal and the computed views below re-read. Nothing here writes
 * SDK state.
 */

export interface InboxView {
  summaries: ReadonlySignal<Summary[]>;
  presence: ReadonlySignal<ReadonlyMap<string, Presence>>;
  status: ReadonlySignal<ConnectionStatus>;
  dispose(): void;
}

export function inboxView(inbox: InboxConnection): InboxView {
  const version = signal(0);
  const presenceVersion = signal(0);
  const bump = () => version.value++;
  const offs = [
    inbox.events.on("change", bump),
    inbox.events.on("status", bump),
    inbox.events.on("presence", () => presenceVersion.value++),
  ];
  return {
    summaries: computed(() => (version.value, inbox.sortedSummaries())),
    presence: computed(() => (presenceVersion.value, new Map(inbox.presence))),
    status: computed(() => (version.value, inbox.status)),
    dispose: () => offs.forEach((off) => off()),
  };
}

export interface ChannelView {
  readonly conn: ChannelConnection;
  channel: ReadonlySignal<Channel | null>;
  messages: ReadonlySignal<readonly Message[]>;
  pending: ReadonlySignal<PendingSend[]>;
  receipts: ReadonlySignal<ReadonlyMap<string, number>>;
  gaps: ReadonlySignal<{ after: number; before: number }[]>;
  hasOlder: ReadonlySignal<boolean>;
  status: ReadonlySignal<ConnectionStatus>;
  presence: ReadonlySignal<ReadonlyMap<string, Presence>>;
  /** The channel as known over HTTP when the socket has not said yet (GET /channels/:id, or after adding a member). */
  noteChannel(channel: Channel): void;
  dispose(): void;
}

/** A channel's state; `fallback` is what the inbox knows of the channel before the socket's welcome. */
export function channelView(conn: ChannelConnection, fallback: ReadonlySignal<Channel | null>): ChannelView {
  const messagesVersion = signal(0);
  const metaVersion = signal(0);
  const pendingVersion = signal(0);
  const known = signal<Channel | null>(null);
  const bumpMessages = () => messagesVersion.value++;
  const bumpMeta = () => metaVersion.value++;
  const offs = [
    conn.events.on("messages", bumpMessages),
    conn.events.on("synced", () => (messagesVersion.value++, metaVersion.value++)),
    conn.events.on("welcome", () => (messagesVersion.value++, metaVersion.value++)),
    conn.events.on("receipt", bumpMeta),
    conn.events.on("member", bumpMeta),
    conn.events.on("status", bumpMeta),
    conn.outbox.events.on("change", ({ channelId }) => channelId === conn.channelId && pendingVersion.value++),
  ];
  return {
    conn,
    channel: computed(() => (metaVersion.value, conn.channel ?? known.value ?? fallback.value)),
    messages: computed(() => (messagesVersion.value, conn.messages.list())),
    pending: computed(() => (pendingVersion.value, conn.pending())),
    receipts: computed(() => (metaVersion.value, new Map(conn.receipts))),
    gaps: computed(() => (messagesVersion.value, conn.messages.gaps())),
    hasOlder: computed(() => (messagesVersion.value, metaVersion.value, conn.hasOlder)),
    status: computed(() => (metaVersion.value, conn.status)),
    presence: computed(() => (metaVersion.value, new Map(conn.presence))),
    noteChannel: (channel) => (known.value = channel),
    dispose: () => offs.forEach((off) => off()),
  };
}

/** The outbox's size, for the banner. */
export function outboxSize(client: ChatClient): { size: ReadonlySignal<number>; dispose(): void } {
  const size = signal(client.outbox.size);
  const off = client.outbox.events.on("change", () => (size.value = client.outbox.size));
  return { size, dispose: off };
}
