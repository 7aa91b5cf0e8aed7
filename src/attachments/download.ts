import { AppError } from "../errors";
import { isImageType, type FileVariant } from "../protocol";
import { parseRange } from "./range";

/** `filename*` for any name, with a plain-ASCII `filename` for old clients. */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Answers a signed download from R2: images as their type and inline,
 * anything else as an octet-stream to save; never sniffed, cached only by
 * the browser until the link expires; one byte range per request (206/416).
 */
export async function serveFile(bucket: R2Bucket, key: string, variant: FileVariant, req: Request, expires: number, now: number): Promise<Response> {
  const rangeHeader = req.headers.get("Range");
  let range: { offset: number; length: number } | null = null;
  let size: number | undefined;
  if (rangeHeader) {
    const head = await bucket.head(key);
    if (!head) throw new AppError("not_found", "no such file");
    size = head.size;
    const parsed = parseRange(rangeHeader, head.size);
    if (parsed === "unsatisfiable") {
      return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${head.size}`, "X-Content-Type-Options": "nosniff" } });
    }
    range = parsed;
  }
  const object = await bucket.get(key, range ? { range } : undefined);
  if (!object || !("body" in object)) throw new AppError("not_found", "no such file");
  size ??= object.size;
  const stored = object.httpMetadata?.contentType ?? "";
  const image = isImageType(stored);
  const name = object.customMetadata?.name ?? (variant === "thumb" ? "thumbnail" : "file");
  const headers = new Headers({
    "Content-Type": image ? stored : "application/octet-stream",
    "Content-Disposition": contentDisposition(image ? "inline" : "attachment", name),
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": `private, max-age=${Math.max(0, Math.floor((expires - now) / 1000))}`,
    "Accept-Ranges": "bytes",
    ETag: object.httpEtag,
    "Content-Length": String(range ? range.length : size),
  });
  if (!range) return new Response(object.body, { status: 200, headers });
  headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`);
  return new Response(object.body, { status: 206, headers });
}
