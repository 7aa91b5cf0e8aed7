import { colourSlot, initials } from "./format";

/** A round avatar with initials, and an optional presence dot that screen readers hear as "online"/"offline". */
export function Avatar({ id, name, presence }: { id: string; name: string; presence?: "online" | "offline" | undefined }) {
  return (
    <span class="avatar-wrap">
      <span class={`avatar c${colourSlot(id)}`} aria-hidden="true">
        {initials(name)}
      </span>
      {presence ? <span class={`presence-dot ${presence}`} role="img" aria-label={presence} title={presence} /> : null}
    </span>
  );
}
