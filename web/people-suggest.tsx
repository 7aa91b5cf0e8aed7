import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { UserRef } from "../src/client";
import { Avatar } from "./avatar";

/** Where a dialog's handle field finds people as one types. */
export interface PeopleSuggester {
  find(text: string): Promise<UserRef[]>;
  /** The field holds several handles, separated by commas: a pick completes the last one and leaves room for the next. */
  list?: boolean;
}

const WAIT_MS = 150;

/**
 * Type-ahead for a handle field (the ARIA combobox pattern): people whose
 * handle or display name starts with what is typed, asked of the server a
 * moment after typing stops; arrows move, Enter or a click picks, Escape
 * closes the list (not the dialog). The field keeps plain handles, so a
 * form works the same with or without a pick.
 */
export function PeopleSuggest({ inputId, suggester }: { inputId: string; suggester: PeopleSuggester }) {
  const listId = useId();
  const [options, setOptions] = useState<UserRef[]>([]);
  const [active, setActive] = useState(-1);
  const now = useRef({ options, active });
  now.current = { options, active };
  const input = () => document.getElementById(inputId) as HTMLInputElement;

  const pick = (u: UserRef) => {
    const el = input();
    if (suggester.list) {
      const done = el.value.slice(0, el.value.lastIndexOf(",") + 1);
      el.value = `${done}${done ? " " : ""}${u.handle}, `;
    } else el.value = u.handle;
    setOptions([]);
    el.focus();
  };

  useEffect(() => {
    const el = input();
    el.setAttribute("role", "combobox");
    el.setAttribute("aria-autocomplete", "list");
    el.setAttribute("aria-controls", listId);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let asked = 0;
    const onInput = () => {
      clearTimeout(timer);
      // In a list, what follows the last comma: a name may have spaces, a handle none.
      const word = (suggester.list ? el.value.slice(el.value.lastIndexOf(",") + 1) : el.value).trim().replace(/^@/, "");
      const n = ++asked;
      if (!word) return setOptions([]);
      timer = setTimeout(() => {
        suggester.find(word).then(
          (found) => n === asked && (setOptions(found), setActive(found.length > 0 ? 0 : -1)),
          () => n === asked && setOptions([]),
        );
      }, WAIT_MS);
    };
    const onKeyDown = (e: KeyboardEvent) => {
      const { options, active } = now.current;
      if (options.length === 0) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        setActive((active + (e.key === "ArrowDown" ? 1 : options.length - 1)) % options.length);
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        pick(options[active]!);
      } else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        setOptions([]);
      }
    };
    const onBlur = () => setTimeout(() => document.activeElement !== el && setOptions([]), 200);
    el.addEventListener("input", onInput);
    el.addEventListener("keydown", onKeyDown);
    el.addEventListener("blur", onBlur);
    return () => {
      clearTimeout(timer);
      el.removeEventListener("input", onInput);
      el.removeEventListener("keydown", onKeyDown);
      el.removeEventListener("blur", onBlur);
    };
  }, []);

  useEffect(() => {
    const el = input();
    el.setAttribute("aria-expanded", options.length > 0 ? "true" : "false");
    if (active >= 0 && options.length > 0) el.setAttribute("aria-activedescendant", `${listId}-${active}`);
    else el.removeAttribute("aria-activedescendant");
  }, [options, active]);

  if (options.length === 0) return <div id={listId} hidden />;
  return (
    <ul id={listId} class="suggestions" role="listbox" aria-label="People">
      {options.map((u, i) => (
        <li
          key={u.id}
          id={`${listId}-${i}`}
          role="option"
          aria-selected={i === active ? "true" : "false"}
          class={i === active ? "active" : undefined}
          // mousedown, not click: the field keeps focus, so its blur does not close the list first.
          onMouseDown={(e) => {
            e.preventDefault();
            pick(u);
          }}
        >
          <Avatar id={u.id} name={u.displayName} />
          <span class="member-names">
            <strong>{u.displayName}</strong>
            <span class="muted">@{u.handle}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}
