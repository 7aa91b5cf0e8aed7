import type { User } from "../src/client";
import { Avatar } from "./avatar";

/**
 * @mention suggestions for the composer (listbox; the textarea points at the
 * active option with aria-activedescendant). A click inserts; mousedown is
 * kept from moving focus out of the textarea.
 */
export function MentionList({ candidates, active, choose }: { candidates: User[] | null; active: number; choose(user: User): void }) {
  return (
    <ul id="mention-list" class="mention-list" role="listbox" aria-label="Mention someone" hidden={!candidates} onMouseDown={(e) => e.preventDefault()}>
      {(candidates ?? []).map((user, i) => (
        <li key={user.id} id={`mention-option-${i}`} role="option" class="mention-option" aria-selected={i === active ? "true" : "false"} onClick={() => choose(user)}>
          <Avatar id={user.id} name={user.displayName} />
          <span class="mention-name">{user.displayName}</span>
          <span class="mention-handle muted">@{user.handle}</span>
        </li>
      ))}
    </ul>
  );
}
