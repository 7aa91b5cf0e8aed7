import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ChannelConnection, Message, User } from "../src/client";
import { ApiError } from "../src/client";
import { EmptyState } from "./chat-app";
import type { ChatSession } from "./chat-session";
import { ChannelHeader } from "./channel-header";
import { useChannelOps, useConversation } from "./channel-ops";
import { decryptedTimeline, isUndecryptable } from "./e2ee-views";
import { Composer, type ComposerHandle, type ReplyTarget } from "./composer";
import { confirmDialog } from "./dialogs";
import { EmojiPicker } from "./emoji-picker";
import { ICONS, Icon } from "./icon";
import { actionsButton, justClosed, MessageMenu, QUICK_REACTIONS, type MenuAction, type MenuState } from "./message-menu";
import { MembersPanel } from "./members-panel";
import { MessageList } from "./message-list";
import type { RowHandlers } from "./message-row";
import { dmPartner, memberName } from "./names";
import { quoteText } from "./rich-text";
import { messagePreview } from "../src/protocol";
import { UploadQueue, type Uploader } from "./upload-queue";
import { attachmentActions } from "./message-attachments";
import { useSearch } from "./search-panel";
import { timeline } from "./timeline";
import { listNames } from "./names";
import { nextMentionAfter } from "./next-mention";
import { openVerifyDialog } from "./verify-dialog";

const HIGHLIGHT_MS = 3000;

export interface ChannelScreenProps {
  session: ChatSession;
  conn: ChannelConnection;
  me: User;
  back(): void;
  addMember(channelId: string): void;
  /** A message to show in context (from the search of all conversations); `n` changes per request. */
  jumpTo?: { seq: number; n: number } | null;
}

/**
 * One open channel: header (with search), the message log with each
 * message's actions menu, who is typing, and the composer.
 */
export function ChannelScreen({ session, conn, me, back, addMember, jumpTo: asked }: ChannelScreenProps) {
  const channel = conn.channel.value;
  const encrypted = (channel ?? session.inbox.summaryOf(conn.channelId)?.channel)?.encrypted === true;
  const conversation = useConversation(session, conn, encrypted);
  // An encrypted channel shows what this device decrypted, and says which messages it cannot read.
  const messages = !encrypted ? conn.messages.value : conversation ? decryptedTimeline(conn.messages.value, conversation.views.value, conversation.processed.value) : [];
  const [notFound, setNotFound] = useState(false);
  const [menu, setMenu] = useState<MenuState | null>(null);
  const [menuPlace, setMenuPlace] = useState(0);
  const dismissed = useRef(justClosed()).current;
  const [editingSeq, setEditingSeq] = useState<number | null>(null);
  const [highlightSeq, setHighlightSeq] = useState<number | null>(null);
  const [jump, setJump] = useState<{ seq: number; n: number } | null>(null);
  const [toBottom, setToBottom] = useState(0);
  const [note, setNote] = useState("");
  const [reply, setReply] = useState<ReplyTarget | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [loadingGap, setLoadingGap] = useState<number | null>(null);
  const [newBelow, setNewBelow] = useState(false);
  /** The message the full emoji picker reacts to, while it is open. */
  const [reactingTo, setReactingTo] = useState<Message | null>(null);
  const [membersOpen, setMembersOpen] = useState(false);
  const atBottom = useRef(true);
  const newestSeen = useRef(messages.at(-1)?.seq ?? 0);
  const composer = useRef<ComposerHandle>(null);
  // Uploads belong to this channel: leaving it cancels those not sent.
  // In an encrypted channel a file is encrypted before it uploads; read at upload time, since the conversation loads later.
  const conversationNow = useRef(conversation);
  conversationNow.current = conversation;
  const uploads = useMemo(
    () =>
      new UploadQueue((o) => {
        const put: Uploader = (p) => session.upload(conn.channelId, p);
        if (!encrypted) return put(o);
        if (!conversationNow.current) return Promise.reject(new Error("the encrypted conversation is still opening"));
        return conversationNow.current.upload(o, put);
      }),
    [conn, encrypted],
  );
  useEffect(() => () => uploads.cancelAll(), [uploads]);
  const [original, setOriginal] = useState(false);
  const attach = (files: Iterable<File>) => setNote(uploads.add(files, original));
  const typingNames = conn.typing.value.map((id) => memberName(channel, id));
  const typing = typingNames.length === 0 ? "" : `${listNames(typingNames)} ${typingNames.length === 1 ? "is" : "are"} typing…`;
  // Where the reader left off when the channel was opened (before read() moves it): the "New messages" line.
  const unreadAfter = useMemo(() => {
    const unread = session.inbox.summaryOf(conn.channelId)?.unread ?? 0;
    return unread > 0 ? conn.readSeq.peek() : null;
  }, [conn]);

  useEffect(() => {
    void session.check(conn).then((found) => setNotFound(!found));
    composer.current?.focus();
    const offs = [
      conn.events.on("error", ({ code, message }) => setNote(code === "rate_limited" ? "Sending too fast; retrying shortly." : message)),
      conn.events.on("closed", ({ code }) => setNote(code === 4403 ? "You are no longer a member of this conversation." : "Session ended. Log in again.")),
    ];
    const onVisible = () => markRead();
    document.addEventListener("visibilitychange", onVisible);
    const onResize = () => setMenuPlace((n) => n + 1);
    window.addEventListener("resize", onResize);
    return () => {
      offs.forEach((off) => off());
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("resize", onResize);
    };
  }, [conn]);

  // Something new while scrolled up: offer "Jump to latest".
  useEffect(() => {
    const newest = messages.at(-1)?.seq ?? 0;
    if (newest > newestSeen.current && !atBottom.current) setNewBelow(true);
    newestSeen.current = Math.max(newestSeen.current, newest);
    markRead();
  }, [messages]);

  /** Read up to the newest message once it is on screen in a visible tab. */
  const markRead = () => {
    if (!atBottom.current || document.visibilityState !== "visible") return;
    const newest = conn.messages.peek().at(-1)?.seq ?? 0;
    if (newest > 0) conn.read(newest);
  };

  const problem = (err: unknown, what: string) => setNote(err instanceof ApiError ? `${what}: ${err.message}` : `${what}: check your connection.`);
  const ops = useChannelOps(conn, conversation, (err) => problem(err, "Could not send"));
  const notInGroup = conversation?.inGroup.value === false;

  const jumpTo = async (seq: number) => {
    setMenu(null);
    try {
      if (!(await conn.loadAround(seq))) return setNote("That message is not there any more.");
    } catch {
      return setNote("Could not load that part of the conversation.");
    }
    setHighlightSeq(seq);
    setTimeout(() => setHighlightSeq((s) => (s === seq ? null : s)), HIGHLIGHT_MS);
    setJump((j) => ({ seq, n: (j?.n ?? 0) + 1 }));
  };

  useEffect(() => {
    if (asked) void jumpTo(asked.seq);
  }, [asked?.n]);

  // Mentions of me after where I left off, in order: "Next mention" (Alt+M) walks them.
  const [mentionFrom, setMentionFrom] = useState<number>(() => unreadAfter ?? Number.MAX_SAFE_INTEGER);
  const mentionsMe = (m: Message) => m.mentions?.includes(me.id) ?? false;
  const nextMention = messages.find((m) => m.seq > mentionFrom && m.senderId !== me.id && !m.deleted && mentionsMe(m));
  // The held one shows the button; the one to go to may be before it, in history not loaded yet.
  const toNextMention = async () => {
    if (!nextMention) return;
    const seq = await nextMentionAfter(conn, mentionFrom, nextMention.seq, me.id, mentionsMe).catch(() => nextMention.seq);
    setMentionFrom(seq);
    void jumpTo(seq);
  };
  const mentionKey = useRef(toNextMention);
  mentionKey.current = toNextMention;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyM" && !document.querySelector("dialog[open]")) {
        e.preventDefault();
        void mentionKey.current();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const react = (message: Message, emoji: string, on: boolean) => void ops.react(message.seq, emoji, on).catch((err) => problem(err, "Could not react"));

  const openPicker = (message: Message) => {
    const current = ops.messageAt(message.seq) ?? message;
    const mine = new Set((current.reactions ?? []).filter((r) => r.userIds.includes(me.id)).map((r) => r.emoji));
    setMenu({
      messageId: message.id,
      kind: "picker",
      choices: QUICK_REACTIONS.map((r) => ({ ...r, checked: mine.has(r.emoji), run: () => react(current, r.emoji, !mine.has(r.emoji)) })),
      more: () => setReactingTo(current),
    });
  };

  const startEdit = (message: Message) => setEditingSeq(message.seq);

  const confirmDelete = async (message: Message) => {
    const yes = await confirmDialog({ title: "Delete this message?", text: "It is removed for everyone in this conversation.", confirmLabel: "Delete" });
    if (!yes) return actionsButton(message.id)?.focus({ preventScroll: true });
    try {
      await ops.delete(message.seq);
    } catch (err) {
      problem(err, "Could not delete the message");
    }
    composer.current?.focus();
  };

  const openActions = (message: Message) => {
    if (dismissed.was(message.id) || isUndecryptable(message)) return;
    const actions: MenuAction[] = [
      { label: "React", icon: ICONS.smile, keepOpen: true, run: () => openPicker(message) },
      {
        label: "Reply",
        icon: ICONS.reply,
        run: () => {
          const name = message.senderId === me.id ? "yourself" : memberName(conn.channel.peek(), message.senderId);
          setReply({ seq: message.seq, name, text: quoteText(messagePreview(message), 200) });
          composer.current?.focus();
        },
      },
      ...attachmentActions(message.attachments, () => actionsButton(message.id)),
    ];
    if (message.senderId === me.id) {
      actions.push({ label: "Edit", icon: ICONS.pencil, run: () => startEdit(message) }, { label: "Delete", icon: ICONS.trash, danger: true, run: () => void confirmDelete(message) });
    }
    setMenu((old) => (old?.messageId === message.id ? null : { messageId: message.id, kind: "actions", actions }));
  };

  // One object for every row, so rows re-render only when their own props change.
  const handlers = useMemo<RowHandlers>(
    () => ({
      onActions: (_button, message) => openActions(message),
      onReact: (message, emoji, on) => react(message, emoji, on),
      onQuote: (seq) => void jumpTo(seq),
      onSaveEdit: async (message, body) => {
        try {
          await ops.edit(message.seq, body);
        } catch (err) {
          problem(err, "Could not save the edit");
          throw err;
        }
      },
      onEndEdit: (seq) => {
        setEditingSeq((s) => (s === seq ? null : s));
        requestAnimationFrame(() => document.querySelector<HTMLElement>(`[role=log] .msg[data-seq="${seq}"] .msg-actions`)?.focus({ preventScroll: true }));
      },
      onRetry: (id) => conn.retry(id),
      onDiscard: (id) => conn.discard(id),
      bySeq: (seq) => ops.messageAt(seq),
    }),
    [conn, ops],
  );

  const search = useSearch({
    search: (q) => ops.search(q),
    senderName: (id) => (id === me.id ? "You" : memberName(conn.channel.peek(), id)),
    jump: (m) => void jumpTo(m.seq),
  });
  useEffect(() => () => search.close(false), []);

  const entries = useMemo(
    () =>
      timeline({
        meId: me.id,
        channel,
        messages,
        pending: conn.pending.value,
        receipts: conn.receipts.value,
        gaps: conn.gaps.value,
        hasOlder: conn.hasOlder.value,
        loadingOlder,
        unreadAfter,
      }),
    [channel, messages, conn.pending.value, conn.receipts.value, conn.gaps.value, conn.hasOlder.value, loadingOlder, unreadAfter],
  );

  // An edit whose message was deleted meanwhile (on another device) has nothing left to edit.
  if (editingSeq !== null && ops.messageAt(editingSeq)?.deleted) setEditingSeq(null);

  if (notFound) return <EmptyState title="Conversation not found" text="It does not exist, or you are not a member of it." />;

  const partner = channel ? dmPartner(channel, me.id) : undefined;
  // While offline nobody's presence is known (the SDK empties it): the header says so rather than "online".
  const online = session.client.connection.value === "online";
  const presence = partner && online ? (session.inbox.presence.value.get(partner.id) ?? conn.presence.value.get(partner.id)) : undefined;
  const lastOwn = () => [...messages].reverse().find((m) => m.senderId === me.id && !m.deleted);

  return (
    <section
      class="channel-view"
      aria-label="Conversation"
      onDragOver={(e) => e.dataTransfer?.types.includes("Files") && e.preventDefault()}
      onDrop={(e) => {
        if (!e.dataTransfer?.files.length) return;
        e.preventDefault();
        attach(e.dataTransfer.files);
      }}
    >
      <div class="channel-top">
        <ChannelHeader channel={channel} meId={me.id} presence={presence} presenceKnown={online} search={search.box} back={back} addMember={() => addMember(conn.channelId)} members={() => setMembersOpen(!membersOpen)} membersOpen={membersOpen} verify={() => conversation && openVerifyDialog(conversation, channel, me.id)} />
        {search.panel}
      </div>
      <MessageList
        entries={entries}
        channel={channel}
        meId={me.id}
        editingSeq={editingSeq}
        highlightSeq={highlightSeq}
        menuFor={menu?.messageId ?? null}
        loadingGap={loadingGap}
        handlers={handlers}
        jump={jump}
        toBottom={toBottom}
        openAt={unreadAfter !== null ? "unread" : null}
        onLoadOlder={() => {
          if (!conn.hasOlder.peek() || loadingOlder) return;
          setLoadingOlder(true);
          conn
            .loadOlder()
            .catch(() => setNote("Could not load older messages."))
            .finally(() => setLoadingOlder(false));
        }}
        onLoadGap={(after) => {
          if (loadingGap !== null) return;
          setLoadingGap(after);
          conn
            .loadGap(after)
            .catch(() => setNote("Could not load those messages."))
            .finally(() => setLoadingGap(null));
        }}
        onBottom={(bottom) => {
          atBottom.current = bottom;
          if (bottom) {
            if (newBelow) setNewBelow(false);
            markRead();
          }
        }}
        onScrolled={() => menu && setMenuPlace((n) => n + 1)}
      />
      {nextMention ? (
        <button type="button" class="jump-mention secondary small" aria-keyshortcuts="Alt+M" title="Alt+M" onClick={() => void toNextMention()}>
          @ Next mention
        </button>
      ) : null}
      {newBelow ? (
        <button type="button" class="jump-latest primary small" onClick={() => (setNewBelow(false), setToBottom((n) => n + 1))}>
          <Icon path={ICONS.down} />
          Jump to latest
        </button>
      ) : null}
      <p class="typing" aria-live="polite">
        {typing}
      </p>
      <Composer
        handle={composer}
        send={(body, replyTo, attachments) => {
          setToBottom((n) => n + 1);
          ops.send(body, replyTo, attachments);
        }}
        uploads={uploads}
        attach={attach}
        original={original}
        setOriginal={setOriginal}
        setNote={setNote}
        typing={() => conn.notifyTyping()}
        members={channel?.members ?? []}
        meId={me.id}
        reply={reply}
        setReply={setReply}
        editLast={() => {
          const m = lastOwn();
          if (m) startEdit(m);
        }}
        note={notInGroup ? "This device is not in this encrypted conversation yet: another of your devices in it, or another member, adds it as soon as they are online." : note}
      />
      {membersOpen && channel?.kind === "group" ? <MembersPanel conn={conn} conversation={conversation} me={me} onClose={() => setMembersOpen(false)} onLeft={back} /> : null}
      {reactingTo ? (
        <EmojiPicker
          label="React with an emoji"
          onPick={(emoji) => {
            const current = ops.messageAt(reactingTo.seq) ?? reactingTo;
            const on = !(current.reactions ?? []).some((r) => r.emoji === emoji && r.userIds.includes(me.id));
            setReactingTo(null);
            react(current, emoji, on);
            actionsButton(current.id)?.focus({ preventScroll: true });
          }}
          onClose={() => {
            actionsButton(reactingTo.id)?.focus({ preventScroll: true });
            setReactingTo(null);
          }}
        />
      ) : null}
      <MessageMenu state={menu} place={menuPlace} onClose={() => setMenu(null)} onDismissed={(id) => (dismissed.note(id), setMenu(null))} />
    </section>
  );
}
