import { memo } from "preact/compat";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Channel, Message, PendingSend } from "../src/client";
import { MAX_MESSAGE_CHARS, messagePreview } from "../src/protocol";
import { formatTime } from "./format";
import { Icon, ICONS } from "./icon";
import { listNames, memberName } from "./names";
import { isUndecryptable, UNDECRYPTABLE } from "./e2ee-views";
import { MessageAttachments } from "./message-attachments";
import { MessageBody } from "./message-body";
import { QUICK_REACTIONS } from "./message-menu";
import { isEmojiOnly } from "./markdown";
import { quoteText } from "./rich-text";

/** What a row can ask of the conversation; one stable object for every row. */
export interface RowHandlers {
  onActions(button: HTMLElement, message: Message): void;
  onReact(message: Message, emoji: string, on: boolean): void;
  onQuote(seq: number): void;
  onSaveEdit(message: Message, body: string): Promise<void>;
  onEndEdit(seq: number): void;
  onRetry(clientMsgId: string): void;
  onDiscard(clientMsgId: string): void;
  bySeq(seq: number): Message | undefined;
}

export interface Quote {
  seq: number;
  name: string;
  text: string;
  deleted: boolean;
}

/** What a reply quotes: the held message as it is now, else the server's preview. */
export function quoteOf(seq: number, preview: Message["replyPreview"], channel: Channel | null, handlers: RowHandlers): Quote {
  const held = handlers.bySeq(seq);
  if (held) return { seq, name: memberName(channel, held.senderId), text: quoteText(messagePreview(held)), deleted: held.deleted === true };
  if (preview) return { seq, name: memberName(channel, preview.senderId), text: quoteText(preview.body), deleted: preview.deleted === true };
  return { seq, name: "", text: "An earlier message", deleted: false };
}

function QuoteBlock({ quote, handlers }: { quote: Quote; handlers: RowHandlers }) {
  return (
    <button type="button" class="quote" tabIndex={-1} title="Show the message this replies to" onClick={() => handlers.onQuote(quote.seq)}>
      <span class="visually-hidden">In reply to </span>
      {quote.name ? <span class="quote-name">{quote.name}</span> : null}
      <span class={`quote-text${quote.deleted ? " deleted" : ""}`}>{quote.deleted ? "Message deleted" : quote.text}</span>
    </button>
  );
}

export interface MessageRowProps {
  message: Message;
  channel: Channel | null;
  meId: string;
  continued: boolean;
  editing: boolean;
  highlight: boolean;
  menuOpen: boolean;
  quote: Quote | null;
  handlers: RowHandlers;
}

/** One message: sender (in groups), bubble with quote, body and time, its actions button, reactions. */
export const MessageRow = memo(function MessageRow(p: MessageRowProps) {
  const { message, channel, meId, handlers } = p;
  const mine = message.senderId === meId;
  const deleted = message.deleted === true;
  const showName = !mine && !p.continued && channel?.kind === "group";
  const mentionsMe = !mine && !deleted && (message.mentions?.includes(meId) ?? false);
  const sender = mine ? "You" : memberName(channel, message.senderId);
  const time = formatTime(message.createdAt);
  const classes = ["msg", mine ? "mine" : "theirs"];
  if (p.continued) classes.push("continued");
  if (mentionsMe) classes.push("mentions-me");
  if (p.highlight) classes.push("highlight");
  return (
    <div class={classes.join(" ")} data-seq={message.seq} data-id={message.id} tabIndex={-1}>
      {showName ? <div class="msg-sender">{sender}</div> : null}
      <div class="msg-line">
        <div class={`bubble${deleted ? " deleted" : ""}${p.editing ? " editing" : ""}${!deleted && isEmojiOnly(message.body) ? " emoji-only" : ""}`}>
          {p.quote && !deleted ? <QuoteBlock quote={p.quote} handlers={handlers} /> : null}
          {/* The name is read once: from the visible sender line when there is one, else from this. */}
          {showName ? null : <span class="visually-hidden">{sender}: </span>}
          {p.editing ? (
            <EditForm message={message} handlers={handlers} />
          ) : (
            <>
              {deleted ? null : <MessageAttachments files={message.attachments} />}
              {deleted ? <span class="msg-body">Message deleted</span> : isUndecryptable(message) ? <span class="msg-body undecryptable">{UNDECRYPTABLE}</span> : message.body === "" ? null : <MessageBody text={message.body} members={channel?.members ?? []} meId={meId} />}
              <span class="msg-meta">
                {message.editedAt && !deleted ? (
                  <span class="edited" title={`Edited ${formatTime(message.editedAt)}`}>
                    (edited)
                  </span>
                ) : null}
                <time dateTime={new Date(message.createdAt).toISOString()}>{time}</time>
              </span>
            </>
          )}
        </div>
        {deleted || p.editing ? null : <QuickReactions message={message} meId={meId} handlers={handlers} />}
        {deleted || p.editing ? null : (
          <button
            type="button"
            class="msg-actions icon-button"
            tabIndex={-1}
            aria-haspopup="menu"
            aria-expanded={p.menuOpen ? "true" : "false"}
            onClick={(event) => handlers.onActions(event.currentTarget, message)}
          >
            <Icon path={ICONS.more} />
            {/* Named by content, not aria-label: a label containing "message" would also answer getByLabel("Message") (the composer). */}
            <span class="visually-hidden">{`Actions for ${mine ? "your" : `${sender}'s`} message at ${time}, “${quoteText(messagePreview(message), 40)}”`}</span>
          </button>
        )}
      </div>
      {deleted ? null : <Reactions message={message} channel={channel} meId={meId} handlers={handlers} />}
    </div>
  );
});

/** A few reactions one click away, shown while the pointer is on the message (not Tab stops: the menu has them too). */
function QuickReactions({ message, meId, handlers }: { message: Message; meId: string; handlers: RowHandlers }) {
  return (
    <span class="quick-reactions">
      {QUICK_REACTIONS.slice(0, 3).map((r) => {
        const on = !(message.reactions ?? []).some((x) => x.emoji === r.emoji && x.userIds.includes(meId));
        return (
          <button key={r.emoji} type="button" class="quick-react" tabIndex={-1} title={`React with ${r.name}`} onClick={() => handlers.onReact(message, r.emoji, on)}>
            <span aria-hidden="true">{r.emoji}</span>
            <span class="visually-hidden">{`React with ${r.name}`}</span>
          </button>
        );
      })}
    </span>
  );
}

/** The reaction chips under a message: emoji and count, pressed where the user reacted, who reacted in the tooltip. */
function Reactions({ message, channel, meId, handlers }: { message: Message; channel: Channel | null; meId: string; handlers: RowHandlers }) {
  const reactions = message.reactions ?? [];
  if (reactions.length === 0) return null;
  return (
    <div class="reactions" role="group" aria-label="Reactions">
      {reactions.map((r) => {
        const mine = r.userIds.includes(meId);
        const names = listNames(r.userIds.map((id) => (id === meId ? "You" : memberName(channel, id))));
        return (
          <button
            key={r.emoji}
            type="button"
            class="reaction"
            tabIndex={-1}
            aria-pressed={mine ? "true" : "false"}
            aria-label={`${r.emoji} ${r.userIds.length}: ${names}`}
            title={`${names} reacted with ${r.emoji}`}
            onClick={() => handlers.onReact(message, r.emoji, !mine)}
          >
            <span class="reaction-emoji" aria-hidden="true">
              {r.emoji}
            </span>
            <span class="reaction-count" aria-hidden="true">
              {String(r.userIds.length)}
            </span>
          </button>
        );
      })}
    </div>
  );
}

/** Edit in place: Enter saves, Shift+Enter breaks the line, Escape cancels. */
function EditForm({ message, handlers }: { message: Message; handlers: RowHandlers }) {
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = input.current!;
    el.focus({ preventScroll: true });
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const submit = async () => {
    const body = input.current!.value;
    if (body.trim().length === 0 || body === message.body) return handlers.onEndEdit(message.seq);
    setBusy(true);
    try {
      await handlers.onSaveEdit(message, body);
      handlers.onEndEdit(message.seq);
    } catch {
      setBusy(false);
    }
  };
  return (
    <form
      class="edit-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <textarea
        ref={input}
        class="edit-input"
        aria-label="Edit message"
        maxLength={MAX_MESSAGE_CHARS}
        rows={1}
        defaultValue={message.body}
        onKeyDown={(event) => {
          if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            void submit();
          } else if (event.key === "Escape") {
            event.preventDefault();
            event.stopPropagation();
            handlers.onEndEdit(message.seq);
          }
        }}
      />
      <div class="edit-actions">
        <span class="muted edit-hint">Enter to save, Esc to cancel</span>
        <button type="button" class="secondary small" disabled={busy} onClick={() => handlers.onEndEdit(message.seq)}>
          Cancel
        </button>
        <button type="submit" class="primary small" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}

/** A send not yet acknowledged: "Sending", or "Not sent" with Retry and Discard. */
export const PendingRow = memo(function PendingRow({ pending, continued, quote, handlers }: { pending: PendingSend; continued: boolean; quote: Quote | null; handlers: RowHandlers }) {
  const failed = pending.state === "failed";
  return (
    <div class={`msg mine ${failed ? "failed" : "pending"}${continued ? " continued" : ""}`} data-client-msg-id={pending.clientMsgId}>
      <div class="msg-line">
        <div class="bubble">
          {quote ? <QuoteBlock quote={quote} handlers={handlers} /> : null}
          <span class="visually-hidden">You: </span>
          {pending.attachments ? <span class="msg-files muted">{pending.attachments.length === 1 ? "1 attachment" : `${pending.attachments.length} attachments`}</span> : null}
          {pending.body === "" ? null : <span class="msg-body">{pending.body}</span>}
          <span class="msg-meta">
            {failed ? <Icon path={ICONS.alert} label="Not sent" /> : <Icon path={ICONS.clock} label="Sending" />}
            <time>{formatTime(pending.createdAt)}</time>
          </span>
        </div>
      </div>
      {failed ? (
        <div class="failed-actions">
          <span>Not sent: {pending.error?.message ?? "refused"}</span>
          <button type="button" class="link" onClick={() => handlers.onRetry(pending.clientMsgId)}>
            Retry
          </button>
          <button type="button" class="link" onClick={() => handlers.onDiscard(pending.clientMsgId)}>
            Discard
          </button>
        </div>
      ) : null}
    </div>
  );
});
