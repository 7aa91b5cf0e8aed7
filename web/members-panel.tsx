import { useState } from "preact/hooks";
import type { ChannelConnection, User } from "../src/client";
import { Avatar } from "./avatar";
import type { Conversation } from "./encryption";
import { confirmDialog, describeError, openFormDialog } from "./dialogs";
import { Icon, ICONS } from "./icon";

/**
 * A group's members, with Remove beside each other member for the group's
 * creator (only they may remove others), Rename group and Leave group.
 */
export function MembersPanel({ conn, conversation, me, onClose, onLeft }: { conn: ChannelConnection; conversation: Conversation | null; me: User; onClose(): void; onLeft(): void }) {
  const members = [...conn.members.value].sort((a, b) => a.displayName.localeCompare(b.displayName));
  const creatorId = conn.channel.value?.creatorId;
  const [problem, setProblem] = useState("");
  const rename = () =>
    openFormDialog({
      title: "Rename group",
      fields: [{ id: "title", label: "Group name", value: conn.channel.peek()?.title ?? "", attrs: { required: true, maxlength: 100 } }],
      submitLabel: "Rename",
      onSubmit: async ({ title }) => void (await conn.rename(title!)),
    });
  const remove = async (user: User) => {
    if (!(await confirmDialog({ title: `Remove ${user.displayName}?`, text: "They stop getting this group's messages.", confirmLabel: "Remove" }))) return;
    try {
      setProblem("");
      // In an encrypted group, removing is an MLS commit that drops every device of theirs.
      if (conversation) {
        await conversation.removeUser(user.id);
        await conn.refresh();
      } else await conn.removeMember(user.handle);
    } catch (err) {
      setProblem(describeError(err));
    }
  };
  const leave = async () => {
    if (!(await confirmDialog({ title: "Leave this group?", text: "You stop getting its messages; someone in it can add you again.", confirmLabel: "Leave group" }))) return;
    try {
      if (conversation) await conversation.leave();
      else await conn.removeMember(me.handle);
      onLeft();
    } catch (err) {
      setProblem(describeError(err));
    }
  };
  return (
    <section class="members-panel" aria-label="Members">
      <div class="members-head">
        <h3>{members.length} members</h3>
        <button type="button" class="icon-button" aria-label="Close members" onClick={onClose}>
          <Icon path={ICONS.close} />
        </button>
      </div>
      <ul class="members-list">
        {members.map((m) => (
          <li key={m.id} class="member">
            <Avatar id={m.id} name={m.displayName} />
            <span class="member-names">
              <strong>{m.id === me.id ? `${m.displayName} (you)` : m.displayName}</strong>
              <span class="muted">
                @{m.handle}
                {m.id === creatorId ? " · creator" : ""}
              </span>
            </span>
            {m.id === me.id || me.id !== creatorId ? null : (
              <button type="button" class="secondary small" aria-label={`Remove ${m.displayName}`} onClick={() => void remove(m)}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <p class="form-error" role="alert">
        {problem}
      </p>
      <div class="members-actions">
        <button type="button" class="secondary small" onClick={rename}>
          Rename group
        </button>
        <button type="button" class="secondary small danger-text" onClick={() => void leave()}>
          Leave group
        </button>
      </div>
    </section>
  );
}
