import { useEffect, useMemo, useRef, useState } from "preact/hooks";

/** One category of the picker's data (web/emoji.json, made by the build from @emoji-mart/data): [emoji, name, keywords]. */
interface Category {
  id: string;
  emojis: [string, string, string][];
}

const TITLES: Record<string, string> = {
  people: "Smileys & people",
  nature: "Animals & nature",
  foods: "Food & drink",
  activity: "Activities",
  places: "Travel & places",
  objects: "Objects",
  symbols: "Symbols",
  flags: "Flags",
};
const COLUMNS = 9;

let data: Promise<Category[]> | null = null;
/** The data, fetched once when a picker first opens (it is not in the app's bundle). */
function loadEmoji(): Promise<Category[]> {
  data ??= fetch("/emoji.json").then((r) => (r.ok ? (r.json() as Promise<Category[]>) : Promise.reject(new Error(`emoji data: ${r.status}`))));
  data.catch(() => (data = null));
  return data;
}

/**
 * The full emoji picker, as a dialog over the conversation: a search box
 * (by name or keyword), then every emoji by category. Arrow keys move in the
 * grid, Enter in the search box picks the first match, Escape closes.
 */
export function EmojiPicker({ label, onPick, onClose }: { label: string; onPick(emoji: string, name: string): void; onClose(): void }) {
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState("");
  const search = useRef<HTMLInputElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  useEffect(() => {
    search.current?.focus();
    loadEmoji().then(setCategories, () => setFailed(true));
  }, []);
  const shown = useMemo(() => {
    if (!categories) return [];
    const q = query.trim().toLowerCase();
    if (!q) return categories;
    const words = q.split(/\s+/);
    const hits = categories.flatMap((c) => c.emojis.filter(([, name, keywords]) => words.every((w) => name.includes(w) || keywords.includes(w))));
    return [{ id: "results", emojis: hits }];
  }, [categories, query]);

  const buttons = () => [...(grid.current?.querySelectorAll<HTMLElement>("button") ?? [])];
  const onGridKey = (event: KeyboardEvent) => {
    const list = buttons();
    const i = list.indexOf(document.activeElement as HTMLElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[event.key];
    if (step === undefined || i < 0) return;
    event.preventDefault();
    const next = i + step;
    if (next < 0) return search.current?.focus();
    list[Math.min(list.length - 1, next)]?.focus();
  };

  return (
    <div
      class="emoji-picker"
      role="dialog"
      aria-label={label}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div class="emoji-picker-head">
        <input
          ref={search}
          type="search"
          class="emoji-search"
          placeholder="Search emoji"
          aria-label="Search emoji"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              const first = shown[0]?.emojis[0];
              if (first) onPick(first[0], first[1]);
            } else if (e.key === "ArrowDown") {
              e.preventDefault();
              buttons()[0]?.focus();
            }
          }}
        />
        <button type="button" class="secondary small" onClick={onClose}>
          Close
        </button>
      </div>
      <div ref={grid} class="emoji-grid" onKeyDown={onGridKey}>
        {failed ? <p class="muted">Could not load the emoji. Check your connection.</p> : !categories ? <p class="muted">Loading…</p> : null}
        {shown.map((c) => (
          <section key={c.id} class="emoji-category" aria-label={TITLES[c.id] ?? "Matching emoji"}>
            <h3 class="emoji-category-title">{TITLES[c.id] ?? (c.emojis.length ? "Matching emoji" : "No emoji match")}</h3>
            <div class="emoji-cells">
              {c.emojis.map(([emoji, name]) => (
                <button key={emoji} type="button" class="emoji-cell" tabIndex={-1} title={name} aria-label={name} onClick={() => onPick(emoji, name)}>
                  {emoji}
                </button>
              ))}
            </div>
          </section>
        ))}
      </div>
    </div>
  );
}
