import { h } from "./dom";
import { colourSlot, initials } from "./format";

/** A round avatar with initials, and an optional presence dot that screen readers hear as "online"/"offline". */
export function avatar(id: string, name: string, presence?: "online" | "offline"): HTMLElement {
  return h(
    "span",
    { class: "avatar-wrap" },
    h("span", { class: `avatar c${colourSlot(id)}`, "aria-hidden": "true", text: initials(name) }),
    presence ? h("span", { class: `presence-dot ${presence}`, role: "img", "aria-label": presence, title: presence }) : null,
  );
}
