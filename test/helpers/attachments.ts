import { env, SELF } from "cloudflare:test";
import { PhotonImage } from "@cf-wasm/photon";
import { BASE, type TestUser } from "./http";

/** A real image from a real encoder: a w x h gradient as PNG, JPEG or WebP. */
export function image(w: number, h: number, format: "png" | "jpeg" | "webp" = "png"): Uint8Array<ArrayBuffer> {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      rgba.set([Math.round((255 * x) / w), Math.round((255 * y) / h), 128, 255], i);
    }
  }
  const img = new PhotonImage(rgba, w, h);
  try {
    return new Uint8Array(format === "png" ? img.get_bytes() : format === "jpeg" ? img.get_bytes_jpeg(85) : img.get_bytes_webp());
  } finally {
    img.free();
  }
}

/** Bytes that look like a PDF: what a file upload test sends. */
export function pdfLike(size = 5000): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode("%PDF-1.7\n"));
  for (let i = 9; i < size; i++) bytes[i] = (i * 31) % 251;
  return bytes;
}

export interface UploadOptions {
  name?: string;
  type?: string;
  thumbnail?: "client";
  headers?: Record<string, string>;
}

export async function upload(u: TestUser, channelId: string, bytes: Uint8Array<ArrayBuffer> | ReadableStream, o: UploadOptions = {}) {
  const q = new URLSearchParams({ name: o.name ?? "photo.png" });
  if (o.thumbnail) q.set("thumbnail", o.thumbnail);
  const res = await SELF.fetch(`${BASE}/api/channels/${channelId}/attachments?${q}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${u.token}`, "Content-Type": o.type ?? "image/png", ...o.headers },
    body: bytes,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** Fetches a relative URL the way an `<img>` does: no headers, no token. */
export async function download(url: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`${BASE}${url}`, { headers });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** What R2 holds under a channel's prefix. */
export async function storedKeys(channelId: string): Promise<string[]> {
  const list = await env.ATTACHMENTS.list({ prefix: `channels/${channelId}/` });
  return list.objects.map((o) => o.key).sort();
}
