import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { Message } from "../src/client";
import type { SearchAllResponse } from "../src/protocol";
import { mountModal, Modal } from "./dialogs";
import { channelName, memberName } from "./names";
import { SearchHit } from "./search-hit";

const TYPING_DELAY_MS = 300;

type State = { state: "idle" } | { state: "searching" } | { state: "failed" } | { state: "done"; q: string; answer: SearchAllResponse };

/**
 * Search of all conversations, in a modal: one request (the server asks
 * every channel), hits grouped by conversation, the most recently active
 * first; picking a hit opens its conversation at that message.
 */
export function openSearchAll(options: { meId: string; search(q: string): Promise<SearchAllResponse>; open(channelId: string, seq: number): void }): void {
  mountModal((close) => <SearchAllDialog {...options} close={close} />);
}

function SearchAllDialog({ meId, search, open, close }: { meId: string; search(q: string): Promise<SearchAllResponse>; open(channelId: string, seq: number): void; close(): void }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const asked = useRef(0);
  const [state, setState] = useState<State>({ state: "idle" });
  useEffect(() => {
    input.current?.focus();
    return () => clearTimeout(timer.current);
  }, []);
  const run = async (raw: string) => {
    clearTimeout(timer.current);
    const q = raw.trim();
    if (!q) return setState({ state: "idle" });
    const ticket = ++asked.current;
    setState({ state: "searching" });
    try {
      const answer = await search(q);
      if (ticket === asked.current) setState({ state: "done", q, answer });
    } catch {
      if (ticket === asked.current) setState({ state: "failed" });
    }
  };
  const count = state.state === "done" ? state.answer.results.reduce((n, r) => n + r.messages.length, 0) : 0;
  const status =
    state.state === "searching"
      ? "Searching all conversations…"
      : state.state === "failed"
        ? "Search failed. Check your connection and try again."
        : state.state === "done"
          ? count === 0
            ? `No messages match “${state.q}”.`
            : `${count} ${count === 1 ? "message" : "messages"} in ${state.answer.results.length} ${state.answer.results.length === 1 ? "conversation" : "conversations"}`
          : "Finds words in every conversation but end-to-end encrypted ones (search inside those).";
  const pick = (channelId: string, m: Message) => {
    close();
    open(channelId, m.seq);
  };
  return (
    <Modal labelledBy={id} onCancel={close}>
      <div class="dialog-form search-all">
        <h2 id={id}>Search all conversations</h2>
        <form
          role="search"
          class="search-box"
          onSubmit={(e) => {
            e.preventDefault();
            void run(input.current!.value);
          }}
        >
          <input
            ref={input}
            type="search"
            class="search-input"
            aria-label="Search all conversations"
            placeholder="Search"
            autocomplete="off"
            maxLength={256}
            enterKeyHint="search"
            onInput={(e) => {
              clearTimeout(timer.current);
              const q = e.currentTarget.value;
              if (q.trim().length >= 2) timer.current = setTimeout(() => void run(q), TYPING_DELAY_MS);
            }}
          />
        </form>
        <p class="search-status muted" role="status">
          {status}
        </p>
        {state.state === "done"
          ? state.answer.results.map((r) => {
              const name = channelName(r.channel, meId);
              return (
                <section key={r.channel.id} class="search-group" aria-label={name}>
                  <h3>{name}</h3>
                  <ul class="search-hits">
                    {r.messages.map((m) => (
                      <SearchHit key={m.id} name={m.senderId === meId ? "You" : memberName(r.channel, m.senderId)} message={m} q={state.q} onPick={() => pick(r.channel.id, m)} />
                    ))}
                  </ul>
                </section>
              );
            })
          : null}
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={close}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}
