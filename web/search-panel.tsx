import { useEffect, useRef, useState } from "preact/hooks";
import type { Message } from "../src/client";
import { Icon, ICONS } from "./icon";
import { SearchHit } from "./search-hit";

const TYPING_DELAY_MS = 300;

export interface SearchProps {
  search(q: string): Promise<Message[]>;
  senderName(senderId: string): string;
  /** Shows a hit in the conversation. */
  jump(message: Message): void;
}

type Results = { state: "closed" } | { state: "searching"; q: string } | { state: "failed"; q: string } | { state: "done"; q: string; hits: Message[] };

/**
 * The channel's search: a box for the header (role="search", "Search
 * messages") and a results panel under it, best match first, each hit a
 * button that jumps to the message in context. Both halves share one state,
 * so the component renders them as a pair: `Box` and `Panel`.
 */
export function useSearch(p: SearchProps) {
  const [results, setResults] = useState<Results>({ state: "closed" });
  const [hidden, setHidden] = useState(true);
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const asked = useRef(0);
  const last = useRef<{ q: string; hits: Message[] } | null>(null);
  useEffect(() => () => clearTimeout(timer.current), []);

  const run = async (raw: string, now: boolean) => {
    clearTimeout(timer.current);
    const q = raw.trim();
    if (!q) return;
    if (!now && q === last.current?.q && !hidden) return;
    const ticket = ++asked.current;
    setHidden(false);
    setResults({ state: "searching", q });
    try {
      const hits = await p.search(q);
      if (ticket !== asked.current) return; // a newer search or a close came meanwhile
      last.current = { q, hits };
      setResults({ state: "done", q, hits });
    } catch {
      if (ticket === asked.current) setResults({ state: "failed", q });
    }
  };
  const close = (clear: boolean) => {
    clearTimeout(timer.current);
    asked.current++;
    setHidden(true);
    if (clear) {
      input.current!.value = "";
      last.current = null;
      setResults({ state: "closed" });
      input.current!.focus();
    }
  };
  const hitButtons = () => [...document.querySelectorAll<HTMLElement>(".search-results .search-hit")];

  const box = (
    // The box has a label of its own (axe: a title alone is not one); tests find the composer by its exact label.
    <form
      class="search-box"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        void run(input.current!.value, true);
      }}
    >
      <Icon path={ICONS.search} />
      <input
        ref={input}
        type="search"
        class="search-input"
        placeholder="Search"
        title="Search messages"
        aria-label="Search messages"
        autocomplete="off"
        maxLength={256}
        enterKeyHint="search"
        onInput={(e) => {
          clearTimeout(timer.current);
          const q = e.currentTarget.value.trim();
          if (q.length === 0) return close(false);
          if (q.length >= 2) timer.current = setTimeout(() => void run(q, false), TYPING_DELAY_MS);
        }}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            if (!hidden) close(false);
            else event.currentTarget.value = "";
          } else if (event.key === "ArrowDown" && !hidden) {
            event.preventDefault();
            hitButtons()[0]?.focus();
          }
        }}
        onFocus={(e) => {
          // Coming back to a query whose results were closed by a jump shows them again.
          const q = e.currentTarget.value.trim();
          if (hidden && q && q === last.current?.q && last.current.hits.length > 0) setHidden(false);
        }}
      />
    </form>
  );

  const status =
    results.state === "searching"
      ? "Searching…"
      : results.state === "failed"
        ? "Search failed. Check your connection and try again."
        : results.state === "done"
          ? results.hits.length === 0
            ? `No messages match “${results.q}”.`
            : `${results.hits.length}${results.hits.length >= 50 ? "+" : ""} ${results.hits.length === 1 ? "message" : "messages"}, best match first`
          : "";
  const hits = results.state === "done" ? results.hits : (last.current?.hits ?? []);
  const q = results.state === "closed" ? "" : results.q;
  const panel = (
    <section
      class="search-results"
      aria-label="Search results"
      hidden={hidden}
      onKeyDown={(event) => {
        const list = hitButtons();
        const i = list.indexOf(document.activeElement as HTMLElement);
        if (event.key === "Escape") {
          event.preventDefault();
          setHidden(true);
          input.current!.focus();
        } else if (event.key === "ArrowDown" && i >= 0) {
          event.preventDefault();
          list[Math.min(list.length - 1, i + 1)]?.focus();
        } else if (event.key === "ArrowUp" && i >= 0) {
          event.preventDefault();
          if (i === 0) input.current!.focus();
          else list[i - 1]?.focus();
        }
      }}
    >
      <div class="search-results-head">
        <p class="search-status muted" role="status">
          {status}
        </p>
        <button type="button" class="icon-button" aria-label="Close search results" onClick={() => close(true)}>
          <Icon path={ICONS.close} />
        </button>
      </div>
      <ul class="search-hits">
        {results.state === "searching"
          ? null
          : hits.map((m) => (
              <SearchHit
                key={m.id}
                name={p.senderName(m.senderId)}
                message={m}
                q={q || (last.current?.q ?? "")}
                onPick={() => {
                  setHidden(true);
                  p.jump(m);
                }}
              />
            ))}
      </ul>
    </section>
  );
  return { box, panel, close };
}
