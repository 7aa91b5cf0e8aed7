import type { Attachment, Channel, Summary } from "../protocol";

/** A new message as the UserHub needs it: for push and mention counts. */
export interface DeliveredMessage {
  seq: number;
  senderId: string;
  body: string;
  mentions?: string[];
  /** Names and types only, for the push preview of a message without text. */
  attachments?: Pick<Attachment, "name" | "type">[];
}

/**
 * What a ChannelRoom tells a member's UserHub in one drain. `rev` orders
 * updates from one room; the hub keeps the newest and ignores the rest, so
 * retries and reordering are harmless (idempotent on channel and seq).
 */
/** A summary whose channel (members and all) is sent only when it changed; the hub keeps the last one. */
export type SummaryUpdate = Omit<Summary, "channel"> & { channel?: Channel };

export type ChannelUpdate =
  | {
      userId: string;
      channelId: string;
      rev: number;
      membership: "active";
      summary: SummaryUpdate;
      messages: DeliveredMessage[];
      /**
       * All this member's devices' cursors in the channel, as the room (their
       * owner, src/channel-room/cursors.ts) holds them; sent when one moved or
       * the hub is (re)built, absent otherwise. The hub's copy is replaced whole.
       */
      cursors?: { device: string; seq: number }[];
    }
  | { userId: string; channelId: string; rev: number; membership: "removed"; channel: Channel };

/** The hub's answer to a room's update. */
export interface UpdateOutcome {
  /** "need-channel" when it was sent a summary without the channel it does not hold. */
  status: "applied" | "need-channel";
  /**
   * The devices with an inbox socket open on this hub: a member who reads
   * the channel live on every one of them needs no prompt updates; one whose
   * phone shows the inbox while the laptop has the channel open does.
   */
  inboxDevices: string[];
}
