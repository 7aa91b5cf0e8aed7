import type { Entry } from "./timeline";

/** Where each row of a virtual list sits: tops and heights (measured, else estimated), the total, ids to indexes. */
export interface Layout {
  tops: number[];
  heights: number[];
  total: number;
  index: Map<string, number>;
}

const ESTIMATE: Record<Entry["kind"], number> = { top: 30, day: 44, message: 52, event: 32, pending: 52, seen: 22, unread: 40, gap: 56, empty: 60 };

export function layout(entries: readonly Entry[], measured: ReadonlyMap<string, number>): Layout {
  const tops = new Array<number>(entries.length + 1);
  const heights = new Array<number>(entries.length);
  const index = new Map<string, number>();
  let y = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    tops[i] = y;
    const h = measured.get(e.id) ?? ESTIMATE[e.kind];
    heights[i] = h;
    index.set(e.id, i);
    y += h;
  }
  tops[entries.length] = y;
  return { tops, heights, total: y, index };
}

/** The rows that overlap [from, to): start inclusive, end exclusive (binary search on the tops). */
export function visibleRange(l: Layout, from: number, to: number): { start: number; end: number } {
  const n = l.heights.length;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (l.tops[mid]! + l.heights[mid]! <= from) lo = mid + 1;
    else hi = mid;
  }
  const start = Math.min(lo, Math.max(0, n - 1));
  let end = start;
  while (end < n && l.tops[end]! < to) end++;
  return { start, end: Math.max(end, Math.min(n, start + 1)) };
}
