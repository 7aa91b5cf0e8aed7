/** Sizes fixed by the protocol. Rates and timings are Worker variables (src/config.ts). */
export const MAX_FRAME_BYTES = 64 * 1024;
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_MESSAGE_CHARS = 4000;
export const MAX_GROUP_MEMBERS = 100;
/** Push subscriptions per user; a new device past it replaces the least recently used. */
export const MAX_PUSH_SUBSCRIPTIONS = 10;
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
export const MAX_USER_SEARCH = 20;
export const PUSH_PREVIEW_CHARS = 100;
/** Reply previews quote this many characters of the quoted message. */
export const REPLY_PREVIEW_CHARS = 100;
/** Distinct emoji one message can carry. */
export const MAX_REACTIONS_PER_MESSAGE = 20;
/** Search: query length, words used, deepest offset. */
export const MAX_SEARCH_CHARS = 256;
/** Search of all channels: the most recently active this many (not encrypted) are searched. */
export const MAX_SEARCH_ALL_CHANNELS = 50;
/** ... and at most this many hits come from each. */
export const MAX_SEARCH_ALL_PER_CHANNEL = 20;
export const MAX_SEARCH_TERMS = 16;
export const MAX_SEARCH_OFFSET = 1000;
/** Attachments (docs/protocol.md, Attachments): per message, file name length, thumbnails. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
export const MAX_ATTACHMENT_NAME_CHARS = 200;
/** A thumbnail's long side, whoever makes it. */
export const THUMBNAIL_MAX_SIDE = 320;
/** A client-made thumbnail's largest body. */
export const MAX_THUMBNAIL_BYTES = 256 * 1024;
/** The Worker makes thumbnails for images up to this many pixels (a 4000x3000 photo); larger ones get none from it. */
export const MAX_SERVER_THUMBNAIL_PIXELS = 12_000_000;
/** An upload never sent in a message is deleted this long after it was made. */
export const UNSENT_ATTACHMENT_TTL_MS = 24 * 3600_000;
