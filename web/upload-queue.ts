import { signal } from "@preact/signals";
import { ApiError, type UploadProgress } from "../src/client";
import { MAX_ATTACHMENTS_PER_MESSAGE, type UploadedAttachment } from "../src/protocol";
import { fileSize } from "./format";
import { prepareFile } from "./photo-prep";

export interface UploadItem {
  key: number;
  name: string;
  state: "preparing" | "uploading" | "done" | "failed";
  loaded: number;
  total: number;
  attachment?: UploadedAttachment;
  error?: string;
}

/** Uploads one prepared file to the open channel (ChatSession.upload). */
export type Uploader = (o: { file: Blob; name: string; thumbnail?: Blob; signal: AbortSignal; onProgress(p: UploadProgress): void }) => Promise<UploadedAttachment>;

/** Why an upload failed, in words: the server's limits come in bytes. */
export function uploadError(err: unknown): string {
  if (!(err instanceof ApiError)) return "Upload failed: check your connection.";
  const message = err.message.replace(/(\d+) bytes/g, (_, n: string) => fileSize(Number(n)));
  if (err.code === "too_large") return `Too large: ${message}`;
  if (err.code === "quota_exceeded") return `No storage left: ${message}`;
  return `Upload failed: ${message}`;
}

/**
 * The uploads waiting above one channel's composer. Each starts as soon as
 * it is picked, pasted or dropped, so sending only names stored files.
 */
export class UploadQueue {
  readonly items = signal<readonly UploadItem[]>([]);
  readonly #controllers = new Map<number, AbortController>();
  #next = 0;

  constructor(private readonly upload: Uploader) {}

  /** Starts uploading `files`; answers a note when some were left out (the per-message limit). */
  add(files: Iterable<File>, original: boolean): string {
    let skipped = 0;
    for (const file of files) {
      if (this.items.peek().length >= MAX_ATTACHMENTS_PER_MESSAGE) skipped++;
      else void this.#start(file, original);
    }
    return skipped > 0 ? `A message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments.` : "";
  }

  /** Ids of the finished uploads, or null while some are still going. */
  ready(): string[] | null {
    const items = this.items.peek();
    if (items.some((u) => u.state === "preparing" || u.state === "uploading")) return null;
    return items.flatMap((u) => (u.attachment ? [u.attachment.id] : []));
  }

  /** After a send: the sent uploads leave, failed ones stay until removed. */
  clearSent(): void {
    this.items.value = this.items.peek().filter((u) => u.state !== "done");
  }

  /** Cancels an upload in flight, or removes a finished or failed one. */
  cancel(key: number): void {
    this.#controllers.get(key)?.abort();
    this.#controllers.delete(key);
    this.items.value = this.items.peek().filter((u) => u.key !== key);
  }

  cancelAll(): void {
    for (const c of this.#controllers.values()) c.abort();
    this.#controllers.clear();
    this.items.value = [];
  }

  async #start(file: File, original: boolean): Promise<void> {
    const key = this.#next++;
    const controller = new AbortController();
    this.#controllers.set(key, controller);
    this.items.value = [...this.items.peek(), { key, name: file.name, state: "preparing", loaded: 0, total: file.size }];
    try {
      const prepared = await prepareFile(file, original);
      if (controller.signal.aborted) return;
      this.#update(key, { name: prepared.name, state: "uploading", total: prepared.file.size });
      const attachment = await this.upload({ ...prepared, signal: controller.signal, onProgress: (p) => this.#update(key, { loaded: p.loaded, total: p.total }) });
      this.#update(key, { state: "done", loaded: attachment.size, total: attachment.size, attachment });
    } catch (err) {
      if (!controller.signal.aborted) this.#update(key, { state: "failed", error: uploadError(err) });
    } finally {
      this.#controllers.delete(key);
    }
  }

  #update(key: number, change: Partial<UploadItem>): void {
    this.items.value = this.items.peek().map((u) => (u.key === key ? { ...u, ...change } : u));
  }
}
