import { useImperativeHandle, useRef, useState } from "preact/hooks";
import type { Ref } from "preact";
import type { User } from "../src/client";
import { MAX_MESSAGE_CHARS } from "../src/protocol";
import { Icon, ICONS } from "./icon";
import { EmojiPicker } from "./emoji-picker";
import { MentionList } from "./mention-picker";
import { mentionCandidates, mentionQuery } from "./rich-text";
import type { UploadQueue } from "./upload-queue";
import { UploadTray } from "./upload-tray";

/** The message being answered, as the reply bar quotes it. */
export interface ReplyTarget {
  seq: number;
  name: string;
  text: string;
}

export interface ComposerHandle {
  focus(): void;
}

export interface ComposerProps {
  send(body: string, replyTo?: number, attachments?: string[]): void;
  /** This channel's uploads; files picked, pasted or dropped go there. */
  uploads: UploadQueue;
  /** Adds files to the uploads (scaled unless "original" is ticked). */
  attach(files: Iterable<File>): void;
  /** "Original": photos go unscaled. */
  original: boolean;
  setOriginal(on: boolean): void;
  setNote(note: string): void;
  typing(): void;
  members: readonly User[];
  meId: string;
  reply: ReplyTarget | null;
  setReply(target: ReplyTarget | null): void;
  /** Up arrow in an empty box: edit one's last message. */
  editLast(): void;
  note: string;
  handle: Ref<ComposerHandle>;
}

/**
 * The message box: Enter sends, Shift+Enter breaks the line; typing is
 * reported (throttled by the SDK); `@` offers members to mention; a reply
 * shows its quote above the box until sent or cancelled (Escape). Its text
 * is its own state: typing re-renders the composer only. Files come from
 * the attach button or a paste; a message may be files alone.
 */
export function Composer(p: ComposerProps) {
  const input = useRef<HTMLTextAreaElement>(null);
  const [mention, setMention] = useState<{ start: number; prefix: string; candidates: User[] } | null>(null);
  const [active, setActive] = useState(0);
  const dismissed = useRef<number | null>(null);
  const [picking, setPicking] = useState(false);
  const filePicker = useRef<HTMLInputElement>(null);
  useImperativeHandle(p.handle, () => ({ focus: () => input.current?.focus() }), []);

  const refresh = () => {
    const el = input.current!;
    const query = el.selectionStart === el.selectionEnd ? mentionQuery(el.value, el.selectionStart) : null;
    // A dismissed @ stays dismissed while the caret is in it.
    if (!query || query.start !== dismissed.current) dismissed.current = null;
    const candidates = query && dismissed.current === null ? mentionCandidates(p.members, query.prefix, p.meId) : [];
    const next = query && candidates.length > 0 ? { ...query, candidates } : null;
    const keep = mention?.candidates[active]?.id;
    setActive(next ? Math.max(0, next.candidates.findIndex((c) => c.id === keep)) : 0);
    setMention(next);
  };

  const choose = (user: User | undefined) => {
    const el = input.current!;
    if (!user || !mention) return setMention(null);
    el.setRangeText(`@${user.handle} `, mention.start, mention.start + 1 + mention.prefix.length, "end");
    setMention(null);
    el.focus();
    p.typing();
  };

  const submit = () => {
    const el = input.current!;
    const body = el.value;
    const attachments = p.uploads.ready();
    if (attachments === null) return p.setNote("Waiting for uploads to finish…");
    if (body.trim().length === 0 && attachments.length === 0) return;
    p.send(body.trim().length === 0 ? "" : body, p.reply?.seq, attachments.length > 0 ? attachments : undefined);
    p.uploads.clearSent();
    el.value = "";
    setMention(null);
    p.setReply(null);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (mention && !event.isComposing) {
      const n = mention.candidates.length;
      const handled = { ArrowDown: () => setActive((active + 1) % n), ArrowUp: () => setActive((active - 1 + n) % n), Escape: () => ((dismissed.current = mention.start), setMention(null)) } as Record<string, () => void>;
      if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey) {
        event.preventDefault();
        return choose(mention.candidates[active]);
      }
      const run = handled[event.key];
      if (run) {
        event.preventDefault();
        event.stopPropagation();
        return run();
      }
    }
    const el = input.current!;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape" && p.reply) {
      event.preventDefault();
      p.setReply(null);
    } else if (event.key === "ArrowUp" && el.value === "" && !event.shiftKey) {
      event.preventDefault();
      p.editLast();
    }
  };

  return (
    <div class="composer-wrap">
      <div class="reply-bar" hidden={!p.reply}>
        {p.reply ? (
          <>
            <Icon path={ICONS.reply} />
            <div class="reply-bar-main">
              <span class="reply-bar-title">
                Replying to <strong>{p.reply.name}</strong>
              </span>
              <span class="reply-bar-text">{p.reply.text}</span>
            </div>
            <button type="button" class="icon-button" aria-label="Cancel reply" onClick={() => (p.setReply(null), input.current?.focus())}>
              <Icon path={ICONS.close} />
            </button>
          </>
        ) : null}
      </div>
      <UploadTray queue={p.uploads} />
      <div class="composer-box">
        <MentionList candidates={mention?.candidates ?? null} active={active} choose={choose} />
        <form
          class="composer"
          onSubmit={(event) => {
            event.preventDefault();
            submit();
            input.current?.focus();
          }}
        >
          <label for="composer-input" class="visually-hidden">
            Message
          </label>
          <textarea
            ref={input}
            id="composer-input"
            rows={1}
            placeholder="Write a message"
            maxLength={MAX_MESSAGE_CHARS}
            autocomplete="off"
            aria-autocomplete="list"
            aria-controls="mention-list"
            aria-activedescendant={mention ? `mention-option-${active}` : undefined}
            onKeyDown={onKeyDown}
            onInput={(e) => {
              if (e.currentTarget.value.trim().length > 0) p.typing();
              refresh();
            }}
            onClick={refresh}
            onFocus={refresh}
            onKeyUp={(e) => (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End") && refresh()}
            onBlur={() => setMention(null)}
            onPaste={(e) => {
              // A pasted screenshot or copied file becomes an upload; pasted text stays text.
              const files = e.clipboardData?.files;
              if (files && files.length > 0) {
                e.preventDefault();
                p.attach(files);
              }
            }}
          />
          <button type="button" class="icon-button attach" aria-label="Attach files" title="Attach files" onClick={() => filePicker.current?.click()}>
            <Icon path={ICONS.paperclip} />
          </button>
          <input
            ref={filePicker}
            type="file"
            multiple
            hidden
            onChange={(e) => {
              p.attach(e.currentTarget.files ?? []);
              e.currentTarget.value = "";
            }}
          />
          <button type="button" class="icon-button emoji-button" aria-label="Emoji" aria-expanded={picking ? "true" : "false"} onClick={() => setPicking(!picking)}>
            <Icon path={ICONS.smile} />
          </button>
          <button type="submit" class="primary send">
            <Icon path={ICONS.send} />
            <span>Send</span>
          </button>
        </form>
      </div>
      {picking ? (
        <EmojiPicker
          label="Insert an emoji"
          onPick={(emoji) => {
            const el = input.current!;
            el.setRangeText(emoji, el.selectionStart, el.selectionEnd, "end");
            setPicking(false);
            el.focus();
          }}
          onClose={() => {
            setPicking(false);
            input.current?.focus();
          }}
        />
      ) : null}
      <div class="composer-foot">
        <p class="composer-note" role="status">
          {p.note}
        </p>
        <label class="original-toggle" title="Send photos as they are instead of scaled to 2560 px">
          <input type="checkbox" checked={p.original} onChange={(e) => p.setOriginal(e.currentTarget.checked)} /> Original size
        </label>
      </div>
    </div>
  );
}
