import * as v from "valibot";
import { MAX_MESSAGE_CHARS, MAX_PAGE } from "./limits";

/**
 * Lone UTF-16 surrogates (legal in JSON's \uXXXX escapes) have no UTF-8 form:
 * SQLite would store mangled bytes and hand back something else than was
 * acked. Refused instead, so what is stored is what was sent.
 */
export const WellFormed = v.check((s: string) => !/\p{Cs}/u.test(s), "text must be valid Unicode (no lone surrogates)");

/**
 * Names people see (display names, group titles): no control characters and
 * no format characters (\p{Cf}: bidi overrides and isolates, zero-width
 * spaces, invisible marks), with which one member could pose as another
 * ("\u202eecilA" shows as "Alice"). Zero-width joiner and non-joiner stay:
 * emoji sequences and several scripts need them.
 */
export const VisibleName = (field: string) =>
  v.check((s: string) => !/[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200c\u200d])\p{Cf}/u.test(s), `${field} must not contain control, format or bidi-override characters`);

/** Field schemas shared by bodies and frames, each written once. */
export const HandleSchema = v.pipe(
  v.string("handle must be a string"),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[a-z0-9_]{3,32}$/, "handle must be 3 to 32 characters of a-z, 0-9 and _"),
);
export const PasswordSchema = v.pipe(
  v.string("password must be a string"),
  WellFormed,
  v.minLength(8, "password must be at least 8 characters"),
  v.maxLength(256, "password must be at most 256 characters"),
);
export const DisplayNameSchema = v.pipe(
  v.string("displayName must be a string"),
  WellFormed,
  VisibleName("displayName"),
  v.trim(),
  v.minLength(1, "displayName must be 1 to 64 characters"),
  v.maxLength(64, "displayName must be 1 to 64 characters"),
);
/** A group's title. */
export const TitleSchema = v.pipe(
  v.string("title must be a string"),
  WellFormed,
  VisibleName("title"),
  v.trim(),
  v.minLength(1, "title must be 1 to 100 characters"),
  v.maxLength(100, "title must be 1 to 100 characters"),
);
export const ClientMsgIdSchema = v.pipe(
  v.string("clientMsgId must be a string"),
  WellFormed,
  v.minLength(1, "clientMsgId must be 1 to 64 characters"),
  v.maxLength(64, "clientMsgId must be 1 to 64 characters"),
);
/** Stored as sent; only the trimmed length is checked. */
export const MessageBodySchema = v.pipe(
  v.string("body must be a string"),
  WellFormed,
  v.check((s) => s.trim().length >= 1, "body must not be empty"),
  v.check((s) => s.trim().length <= MAX_MESSAGE_CHARS, `body must be at most ${MAX_MESSAGE_CHARS} characters`),
);
/**
 * The body of a send: may be "" when the message carries attachments, a
 * rule of two fields that sendMessage checks (a variant's options cannot be piped).
 */
export const SendTextSchema = v.pipe(
  v.string("body must be a string"),
  WellFormed,
  v.check((s) => s.trim().length <= MAX_MESSAGE_CHARS, `body must be at most ${MAX_MESSAGE_CHARS} characters`),
);
export const SeqSchema = v.pipe(
  v.number("seq must be a number"),
  v.integer("seq must be an integer"),
  v.minValue(0, "seq must not be negative"),
  v.maxValue(Number.MAX_SAFE_INTEGER),
);
export const LimitSchema = v.pipe(
  v.number("limit must be a number"),
  v.integer("limit must be an integer"),
  v.minValue(1, "limit must be at least 1"),
  v.maxValue(MAX_PAGE, `limit must be at most ${MAX_PAGE}`),
);
export const DeviceSchema = v.pipe(
  v.string("device must be a string"),
  WellFormed,
  v.minLength(1, "device must be 1 to 64 characters"),
  v.maxLength(64, "device must be 1 to 64 characters"),
);
export const ChannelIdSchema = v.pipe(v.string(), v.regex(/^[a-z]_[A-Za-z0-9_-]{8,64}$/, "not a channel id"));
/** One reaction: a short string without whitespace or control characters (an emoji, or a short code). */
export const EmojiSchema = v.pipe(
  v.string("emoji must be a string"),
  WellFormed,
  v.minLength(1, "emoji must be 1 to 16 characters"),
  v.maxLength(16, "emoji must be 1 to 16 characters"),
  v.regex(/^[^\s\p{Cc}]+$/u, "emoji must not contain whitespace or control characters"),
);
/** A query-string integer: digits only, then a number. */
export const QueryIntSchema = v.pipe(v.string(), v.regex(/^\d{1,15}$/, "must be a non-negative integer"), v.transform(Number));

/**
 * A mention: `@handle` not glued to a word before it nor running on after it.
 * One rule for the server (which resolves and counts them) and the app (which highlights them).
 */
export const MENTION_PATTERN = /(?<![\p{L}\p{N}_@])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])/gu;
