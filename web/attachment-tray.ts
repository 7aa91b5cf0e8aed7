import { ApiError, uploadAttachment } from "../src/client";
import { MAX_ATTACHMENTS_PER_MESSAGE } from "../src/protocol";
import { append, h, icon, ICONS } from "./dom";
import { fileSize } from "./attachment-view";
import { preparePhoto } from "./image-scale";

interface Upload {
  name: string;
  controller: AbortController;
  loaded: number;
  total: number;
  id?: string;
  error?: string;
  row: HTMLElement;
}

/**
 * The uploads waiting above the composer: each with a progress bar and a
 * cancel button; they start as soon as a file is picked, pasted or dropped,
 * so sending only names what is already stored.
 */
export class AttachmentTray {
  readonly element = h("ul", { class: "attachment-tray", "aria-label": "Attachments", hidden: true });
  readonly original = h("input", { type: "checkbox", class: "original-toggle" }) as HTMLInputElement;
  readonly #uploads: Upload[] = [];

  constructor(
    private readonly target: () => { baseUrl: string; token: string; channelId: string },
    private readonly note: (text: string) => void,
  ) {}

  add(files: Iterable<File>): void {
    for (const file of files) {
      if (this.#uploads.length >= MAX_ATTACHMENTS_PER_MESSAGE) {
        this.note(`A message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`);
        return;
      }
      void this.#start(file);
    }
  }

  /** Ids of finished uploads, or null while some are still going. */
  ready(): string[] | null {
    if (this.#uploads.some((u) => !u.id && !u.error)) return null;
    return this.#uploads.flatMap((u) => (u.id ? [u.id] : []));
  }

  get empty(): boolean {
    return this.#uploads.length === 0;
  }

  clear(): void {
    for (const u of this.#uploads.splice(0)) u.row.remove();
    this.element.hidden = true;
  }

  async #start(file: File): Promise<void> {
    const bar = h("progress", { max: 1, value: 0, "aria-label": `Uploading ${file.name}` }) as HTMLProgressElement;
    const status = h("span", { class: "upload-status", text: fileSize(file.size) });
    const upload: Upload = { name: file.name, controller: new AbortController(), loaded: 0, total: file.size, row: h("li", { class: "upload" }) };
    const cancel = h("button", { type: "button", class: "icon-button", "aria-label": `Cancel ${file.name}`, onclick: () => this.#cancel(upload) }, icon(ICONS.close));
    append(upload.row, h("span", { class: "upload-name", text: file.name }), bar, status, cancel);
    this.#uploads.push(upload);
    append(this.element, upload.row);
    this.element.hidden = false;
    try {
      const photo = await preparePhoto(file, this.original.checked);
      const t = this.target();
      const attachment = await uploadAttachment({
        ...t,
        file: photo.file,
        name: photo.name,
        type: photo.file.type || file.type,
        ...(photo.thumbnail ? { thumbnail: photo.thumbnail } : {}),
        signal: upload.controller.signal,
        onProgress: (p) => {
          bar.max = p.total;
          bar.value = p.loaded;
        },
      });
      upload.id = attachment.id;
      bar.value = bar.max;
      status.textContent = `${fileSize(attachment.size)} ready`;
      upload.row.classList.add("done");
    } catch (err) {
      if ((err as Error).name === "AbortError") return;
      upload.error = err instanceof ApiError ? err.message : "upload failed";
      status.textContent = upload.error;
      upload.row.classList.add("failed");
    }
  }

  #cancel(upload: Upload): void {
    upload.controller.abort();
    const i = this.#uploads.indexOf(upload);
    if (i >= 0) this.#uploads.splice(i, 1);
    upload.row.remove();
    this.element.hidden = this.#uploads.length === 0;
  }
}
