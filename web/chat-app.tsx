import { useEffect, useMemo, useState } from "preact/hooks";
import type { User } from "../src/client";
import { ConnectionBanner } from "./banner";
import { ChannelScreen } from "./channel-screen";
import { openSearchAll } from "./search-all";
import { openChannelSwitcher } from "./channel-switcher";
import { ChatSession } from "./chat-session";
import { openFormDialog, parseHandles } from "./dialogs";
import { NotificationsButton, unsubscribePush } from "./push-button";
import { Sidebar } from "./sidebar";

const routeOf = (hash: string): string | null => {
  const match = /^#\/c\/(.+)$/.exec(hash);
  return match ? decodeURIComponent(match[1]!) : null;
};

/** The signed-in app: sidebar, the open channel (from the #/c/<id> route), the connection banner. */
export function ChatApp({ token, me, onEnded, onProfile }: { token: string; me: User; onEnded(): void; onProfile(user: User): void }) {
  const session = useMemo(() => new ChatSession(token, me), [token]);
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    window.addEventListener("hashchange", onHash);
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k" && !document.querySelector("dialog[open]")) {
        e.preventDefault();
        openChannelSwitcher(session.inbox.summaries.peek(), me.id);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("hashchange", onHash);
      window.removeEventListener("keydown", onKey);
      session.close();
    };
  }, [session]);
  useEffect(() => {
    if (session.ended.value) onEnded();
  }, [session.ended.value]);
  const view = useMemo(() => session.show(route), [session, route]);
  /** A message to show once its conversation is open (a hit of the search of all conversations). */
  const [jumpTo, setJumpTo] = useState<{ channelId: string; seq: number; n: number } | null>(null);

  // "(3) Edge Chat": unread messages outside the conversation on screen.
  const unread = session.inbox.summaries.value.reduce((n, s) => (s.channel.id === route ? n : n + s.unread), 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Edge Chat` : "Edge Chat";
  }, [unread]);

  const logout = async () => {
    await unsubscribePush(session.client.http, session.client.device);
    await session.e2ee.logOut().catch(() => undefined);
    try {
      // Also forgets what this device cached of the account.
      await session.client.logout();
    } catch {
      // The token is dropped locally either way.
    }
    onEnded();
  };

  const editProfile = () =>
    openFormDialog({
      title: "Edit profile",
      fields: [{ id: "displayName", label: "Display name", hint: `Your handle stays @${me.handle}`, attrs: { required: true, maxlength: 64, defaultValue: me.displayName } }],
      submitLabel: "Save",
      onSubmit: async ({ displayName }) => {
        const user = await session.client.http.updateMe(displayName!);
        onProfile(user);
      },
    });
  const go = (channelId: string) => (location.hash = `#/c/${encodeURIComponent(channelId)}`);
  // Everyone but oneself: one does not start a chat with oneself.
  const people = (list = false) => ({ list, find: async (q: string) => (await session.client.http.searchUsers(q)).filter((u) => u.id !== me.id) });
  const newDm = () =>
    openFormDialog({
      title: "New direct message",
      fields: [{ id: "handle", label: "Handle", hint: "Type a name or handle, then pick the person", attrs: { required: true }, suggest: people() }, ENCRYPTED_FIELD],
      submitLabel: "Start chat",
      onSubmit: async ({ handle, encrypted }) => {
        const who = handle!.replace(/^@/, "");
        go(encrypted ? await session.e2ee.openDm(who) : (await session.client.http.openDm(who)).id);
      },
    });
  const newGroup = () =>
    openFormDialog({
      title: "New group",
      fields: [
        { id: "title", label: "Group name", attrs: { required: true, maxlength: 100 } },
        { id: "members", label: "Members", hint: "Type names or handles and pick each person; handles may be separated by commas", suggest: people(true) },
        ENCRYPTED_FIELD,
      ],
      submitLabel: "Create group",
      onSubmit: async ({ title, members, encrypted }) => {
        const handles = parseHandles(members ?? "");
        go(encrypted ? await session.e2ee.createGroup(title!, handles) : (await session.client.http.createGroup({ title: title!, members: handles })).id);
      },
    });
  const addMember = (channelId: string) =>
    openFormDialog({
      title: "Add member",
      fields: [{ id: "handle", label: "Handle", attrs: { required: true }, suggest: people() }],
      submitLabel: "Add",
      onSubmit: async ({ handle }) => {
        const who = handle!.replace(/^@/, "");
        const conn = session.client.channel(channelId);
        if (conn.channel.peek()?.encrypted) {
          await (await session.e2ee.conversation(channelId)).add([who]);
          await conn.refresh();
        } else await conn.addMember(who);
      },
    });

  return (
    <>
      <ConnectionBanner offline={session.client.connection.value === "offline"} pendingCount={session.client.unsent.value} />
      <div class={`shell${route ? " show-channel" : ""}`}>
        <Sidebar
          me={me}
          summaries={session.inbox.summaries.value}
          presence={session.inbox.presence.value}
          presenceKnown={session.client.connection.value === "online"}
          activeId={route}
          newDm={newDm}
          editProfile={editProfile}
          newGroup={newGroup}
          searchAll={() => openSearchAll({ meId: me.id, search: (q) => session.client.http.searchAll(q), open: (channelId, seq) => (go(channelId), setJumpTo({ channelId, seq, n: (jumpTo?.n ?? 0) + 1 })) })}
          logout={() => void logout()}
          notifications={<NotificationsButton http={session.client.http} device={session.client.device} />}
        />
        <main class="main-pane">
          {view ? (
            <ChannelScreen key={route} session={session} conn={view} me={me} back={() => (location.hash = "#/")} addMember={addMember} jumpTo={jumpTo?.channelId === route ? jumpTo : null} />
          ) : (
            <EmptyState title={`Hello, ${me.displayName}`} text="Pick a conversation, or start a new one with “New direct message” or “New group”." />
          )}
        </main>
      </div>
    </>
  );
}

/** Starting a DM or group: MLS, for good (the server then holds only ciphertext). */
const ENCRYPTED_FIELD = {
  id: "encrypted",
  label: "End-to-end encrypted",
  hint: "Only the members' devices can read it; the server cannot search it. This cannot be turned off later.",
  checkbox: true,
} as const;

export function EmptyState({ title, text }: { title: string; text: string }) {
  return (
    <div class="empty-state">
      <h2>{title}</h2>
      <p class="muted">{text}</p>
    </div>
  );
}
