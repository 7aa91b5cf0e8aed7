/** Path data of the app's inline SVG icons (constants, never user data). */
export const ICONS = {
  compose: "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4",
  group: "M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 19c0-3 3-5 6-5s6 2 6 5M16 5a3 3 0 0 1 0 6M18 14c2 .5 3 2.5 3 5",
  send: "M4 12l16-8-6 16-2-7-8-1z",
  back: "M15 5l-7 7 7 7",
  clock: "M12 7v5l3 2M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z",
  bell: "M6 16V11a6 6 0 0 1 12 0v5l2 2H4l2-2zM10 20a2 2 0 0 0 4 0",
  userPlus: "M10 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM3 20c0-3.5 3-6 7-6s7 2.5 7 6M19 8v6M16 11h6",
  alert: "M12 8v5M12 16.5v.5M12 3l10 18H2L12 3z",
  more: "M5.5 12h.01M12 12h.01M18.5 12h.01",
  reply: "M10 8 5 12.5l5 4.5M5.5 12.5H14a5 5 0 0 1 5 5V19",
  smile: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8.5 14.5a4.5 4.5 0 0 0 7 0M9 9.5h.01M15 9.5h.01",
  search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4",
  close: "M6 6l12 12M18 6 6 18",
  trash: "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
  pencil: "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4",
  down: "M6 9l6 6 6-6",
  lock: "M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5V11zM12 15v2",
  image: "M4 5h16v14H4zM4 16l5-5 4 4 2-2 5 5M15.5 9.5h.01",
  paperclip: "M20 11.5l-7.8 7.8a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L15 6.9",
} as const;

/** A small inline icon; with `label` it is an image screen readers name, else hidden from them. */
export function Icon({ path, label }: { path: string; label?: string }) {
  return label ? (
    <svg viewBox="0 0 24 24" class="icon" role="img" aria-label={label}>
      <path d={path} />
    </svg>
  ) : (
    <svg viewBox="0 0 24 24" class="icon" aria-hidden="true">
      <path d={path} />
    </svg>
  );
}
