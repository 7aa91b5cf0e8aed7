import { thumbHashToDataURL } from "thumbhash";
import type { Attachment } from "../src/client";
import { isImageType } from "../src/protocol";
import { append, h } from "./dom";

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function placeholderUrl(hash: string | undefined): string | null {
  if (!hash) return null;
  try {
    return thumbHashToDataURL(Uint8Array.from(atob(hash), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** The full-size image in a modal dialog; Escape or a click closes it. */
export function openViewer(file: Attachment): void {
  const dialog = h("dialog", { class: "image-viewer", "aria-label": file.name }) as HTMLDialogElement;
  append(dialog, h("img", { src: file.url, alt: file.name }), h("a", { href: file.url, download: file.name, class: "viewer-download", text: "Download" }));
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog || (e.target as HTMLElement).tagName === "IMG") dialog.close();
  });
  dialog.addEventListener("close", () => dialog.remove());
  append(document.body, dialog);
  dialog.showModal();
}

/**
 * A message's attachments: images inline at their aspect ratio, painted
 * with their placeholder until the thumbnail loads, opening the viewer;
 * other files as a chip with name, size and a download link.
 */
export function attachmentNodes(files: Attachment[] | undefined): HTMLElement | null {
  if (!files || files.length === 0) return null;
  return h(
    "div",
    { class: "attachments" },
    ...files.map((file) => {
      if (isImageType(file.type) && file.width && file.height) {
        const width = Math.min(280, file.width);
        const img = h("img", { src: file.thumbnailUrl ?? file.url, alt: file.name, loading: "lazy", width, height: Math.round((width * file.height) / file.width) });
        const placeholder = placeholderUrl(file.placeholder);
        if (placeholder) img.style.backgroundImage = `url(${placeholder})`;
        // Through the CSSOM, not a style attribute: the page's CSP allows no inline styles.
        img.style.aspectRatio = `${file.width} / ${file.height}`;
        return h("button", { type: "button", class: "attachment-image", "aria-label": `Open ${file.name}`, onclick: () => openViewer(file) }, img);
      }
      return h(
        "a",
        { class: "attachment-file", href: file.url, download: file.name },
        h("span", { class: "attachment-name", text: file.name }),
        h("span", { class: "attachment-size", text: fileSize(file.size) }),
        h("span", { class: "attachment-action", text: "Download" }),
      );
    }),
  );
}
