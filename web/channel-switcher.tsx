import { useEffect, useRef, useState } from "preact/hooks";
import type { Summary } from "../src/client";
import { Modal, mountModal } from "./dialogs";
import { channelName } from "./names";

/** Ctrl+K / Cmd+K: a dialog to find a conversation by name and go to it (Enter takes the first match, arrows choose). */
export function openChannelSwitcher(summaries: readonly Summary[], meId: string): void {
  mountModal((close) => <Switcher summaries={summaries} meId={meId} close={close} />);
}

function Switcher({ summaries, meId, close }: { summaries: readonly Summary[]; meId: string; close(): void }) {
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const matches = summaries.filter((s) => fold(channelName(s.channel, meId)).includes(fold(q.trim()))).slice(0, 12);
  const go = (s: Summary | undefined) => {
    if (!s) return;
    close();
    location.hash = `#/c/${encodeURIComponent(s.channel.id)}`;
  };
  return (
    <Modal labelledBy="switcher-title" onCancel={close}>
      <div class="dialog-form switcher">
        <h2 id="switcher-title">Switch conversation</h2>
        <input
          ref={input}
          type="text"
          role="combobox"
          aria-label="Find a conversation"
          aria-expanded="true"
          aria-controls="switcher-list"
          aria-activedescendant={matches[active] ? `switch-${active}` : undefined}
          autocomplete="off"
          value={q}
          onInput={(e) => (setQ(e.currentTarget.value), setActive(0))}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              go(matches[active]);
            } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
              e.preventDefault();
              const n = matches.length || 1;
              setActive((a) => (a + (e.key === "ArrowDown" ? 1 : -1) + n) % n);
            }
          }}
        />
        <ul id="switcher-list" role="listbox" aria-label="Conversations" class="switcher-list">
          {matches.map((s, i) => (
            <li key={s.channel.id} id={`switch-${i}`} role="option" aria-selected={i === active ? "true" : "false"} class="switcher-option" onClick={() => go(s)}>
              {channelName(s.channel, meId)}
              {s.unread > 0 ? <span class="muted"> · {s.unread} unread</span> : null}
            </li>
          ))}
          {matches.length === 0 ? <li class="muted">No conversation matches.</li> : null}
        </ul>
      </div>
    </Modal>
  );
}
