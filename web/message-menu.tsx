import { useLayoutEffect, useRef } from "preact/hooks";
import { Icon } from "./icon";

/** The reactions offered in the picker: common, and each with a name for screen readers. */
export const QUICK_REACTIONS: readonly { emoji: string; name: string }[] = [
  { emoji: "👍", name: "thumbs up" },
  { emoji: "❤️", name: "heart" },
  { emoji: "😂", name: "laughing" },
  { emoji: "🎉", name: "party" },
  { emoji: "😮", name: "surprised" },
  { emoji: "😢", name: "sad" },
  { emoji: "🙏", name: "thank you" },
];

export interface MenuAction {
  label: string;
  icon: string;
  danger?: boolean;
  /** Keeps the menu open (e.g. "React" swaps in the picker). */
  keepOpen?: boolean;
  run(): void;
}

export interface PickerChoice {
  emoji: string;
  name: string;
  checked: boolean;
  run(): void;
}

export type MenuState = { messageId: string; kind: "actions"; actions: MenuAction[] } | { messageId: string; kind: "picker"; choices: PickerChoice[]; more(): void };

/** The actions button of a message, if its row is rendered. */
export function actionsButton(messageId: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[role=log] .msg[data-id="${CSS.escape(messageId)}"] .msg-actions`);
}

/**
 * The one popup menu of a conversation: a message's actions, or the reaction
 * picker. A native popover (top layer, light dismiss, Escape), keyboard
 * navigable like a menu; focus goes back to the button that opened it.
 * `place` changes whenever the anchor may have moved.
 */
export function MessageMenu({ state, onClose, onDismissed, place }: { state: MenuState | null; onClose(): void; onDismissed(messageId: string): void; place: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const shownFor = useRef<MenuState | null>(null);

  useLayoutEffect(() => {
    const menu = ref.current!;
    if (!state) {
      const had = shownFor.current;
      const hadFocus = menu.contains(document.activeElement);
      shownFor.current = null;
      if (menu.matches(":popover-open")) menu.hidePopover();
      const anchor = had && actionsButton(had.messageId);
      if (hadFocus && anchor) anchor.focus({ preventScroll: true });
      return;
    }
    const anchor = actionsButton(state.messageId);
    if (!anchor) return onClose();
    if (shownFor.current !== state) {
      const first = shownFor.current === null;
      shownFor.current = state;
      if (!menu.matches(":popover-open")) menu.showPopover();
      position(menu, anchor);
      if (first || menu.contains(document.activeElement)) items(menu)[0]?.focus({ preventScroll: true });
    } else position(menu, anchor);
  }, [state, place]);

  const onToggle = (event: ToggleEvent) => {
    if (event.newState !== "closed" || !shownFor.current) return;
    const { messageId } = shownFor.current;
    const anchor = actionsButton(messageId);
    const hadFocus = ref.current!.contains(document.activeElement);
    shownFor.current = null;
    onDismissed(messageId);
    if (hadFocus && anchor) anchor.focus({ preventScroll: true });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const list = items(ref.current!);
    const index = list.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      event.preventDefault();
      list[(to + list.length) % list.length]?.focus();
    };
    switch (event.key) {
      case "ArrowDown":
      case "ArrowRight":
        return move(index + 1);
      case "ArrowUp":
      case "ArrowLeft":
        return move(index - 1);
      case "Home":
        return move(0);
      case "End":
        return move(list.length - 1);
      case "Tab":
        event.preventDefault();
        onClose();
    }
  };

  return (
    <div
      ref={ref}
      class={`menu${state?.kind === "picker" ? " picker" : ""}`}
      role="menu"
      popover="auto"
      aria-label={state?.kind === "picker" ? "Reactions" : "Actions"}
      onKeyDown={onKeyDown}
      // beforetoggle, not toggle: it fires at once, while focus is still inside.
      {...{ onbeforetoggle: onToggle }}
    >
      {state?.kind === "actions"
        ? state.actions.map((a) => (
            <button
              key={a.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              class={`menu-item${a.danger ? " danger" : ""}`}
              onClick={() => {
                if (!a.keepOpen) onClose();
                a.run();
              }}
            >
              <Icon path={a.icon} />
              <span>{a.label}</span>
            </button>
          ))
        : null}
      {state?.kind === "picker"
        ? state.choices.map((c) => (
            <button
              key={c.emoji}
              type="button"
              role="menuitemcheckbox"
              aria-checked={c.checked ? "true" : "false"}
              aria-label={`React with ${c.name}`}
              title={c.name}
              tabIndex={-1}
              class="menu-emoji"
              onClick={() => {
                onClose();
                c.run();
              }}
            >
              {c.emoji}
            </button>
          ))
        : null}
      {state?.kind === "picker" ? (
        <button
          type="button"
          role="menuitem"
          tabIndex={-1}
          class="menu-item more-reactions"
          onClick={() => {
            onClose();
            state.more();
          }}
        >
          <span>More reactions…</span>
        </button>
      ) : null}
    </div>
  );
}

/** Whether the menu for `messageId` closed a moment ago (a second click on its button closes it, not reopens). */
export function justClosed(): { note(id: string | null): void; was(id: string): boolean } {
  let at = 0;
  let which: string | null = null;
  return {
    note(id) {
      at = performance.now();
      which = id;
    },
    was: (id) => which === id && performance.now() - at < 300,
  };
}

function items(menu: HTMLElement): HTMLElement[] {
  return [...menu.querySelectorAll<HTMLElement>("[role^=menuitem]")];
}

/** Below the button (above when there is no room), kept inside the window; set through the CSSOM, which the CSP allows. */
function position(menu: HTMLElement, anchor: HTMLElement): void {
  const a = anchor.getBoundingClientRect();
  const m = menu.getBoundingClientRect();
  const margin = 8;
  let top = a.bottom + 4;
  if (top + m.height > window.innerHeight - margin) top = Math.max(margin, a.top - m.height - 4);
  const left = Math.min(Math.max(margin, a.right - m.width), window.innerWidth - m.width - margin);
  menu.style.top = `${Math.round(top)}px`;
  menu.style.left = `${Math.round(left)}px`;
}
