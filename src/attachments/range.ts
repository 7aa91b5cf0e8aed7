/** One byte range of a `Range` header, resolved against the object's size. */
export type ByteRange = { offset: number; length: number };

/**
 * `bytes=a-b`, `bytes=a-` or `bytes=-n` against `size`. Null when there is
 * no single byte range to honour (absent, malformed or several ranges: the
 * whole body is sent, as RFC 9110 allows); "unsatisfiable" when it starts
 * past the end (416). The local R2 does not answer 416 itself.
 */
export function parseRange(header: string | null, size: number): ByteRange | "unsatisfiable" | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(m[1]);
  if (start >= size) return "unsatisfiable";
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (end < start) return null;
  return { offset: start, length: end - start + 1 };
}
