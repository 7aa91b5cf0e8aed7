/** Times and days as people read them, in the browser's locale. */
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });
const dayYearFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "long", year: "numeric" });
const shortDayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });

export function formatTime(ms: number): string {
  return timeFormat.format(ms);
}

export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Today", "Yesterday", a weekday and date, or a full date for other years. */
export function dayLabel(ms: number, now = Date.now()): string {
  if (dayKey(ms) === dayKey(now)) return "Today";
  if (dayKey(ms) === dayKey(now - 86_400_000)) return "Yesterday";
  return new Date(ms).getFullYear() === new Date(now).getFullYear() ? dayFormat.format(ms) : dayYearFormat.format(ms);
}

/** The sidebar's compact time: a clock time today, a date before. */
export function shortStamp(ms: number, now = Date.now()): string {
  return dayKey(ms) === dayKey(now) ? formatTime(ms) : shortDayFormat.format(ms);
}

/** "last seen 5 min ago" and friends. */
export function lastSeen(ms: number, now = Date.now()): string {
  if (ms <= 0) return "offline";
  const minutes = Math.floor((now - ms) / 60_000);
  if (minutes < 1) return "last seen just now";
  if (minutes < 60) return `last seen ${minutes} min ago`;
  if (dayKey(ms) === dayKey(now)) return `last seen at ${formatTime(ms)}`;
  return `last seen ${shortDayFormat.format(ms)}`;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0]!.charAt(0) + parts[parts.length - 1]!.charAt(0) : name.trim().slice(0, 2);
  return letters.toUpperCase() || "?";
}

/** A stable colour slot (0 to 7) for an avatar. */
export function colourSlot(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 8;
}

/** A file's size as people read it: "812 B", "81 KB", "2.4 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GB`;
}
