import { useEffect, useMemo, useState } from "preact/hooks";
import { thumbHashToDataURL } from "thumbhash";
import { isImageType, type Attachment } from "../src/protocol";
import { fileSize } from "./format";
import { ICONS } from "./icon";
import { openImageViewer } from "./image-viewer";
import type { MenuAction } from "./message-menu";
import { isSealed, type SealedAttachment } from "./e2ee-views";
import { decryptedUrl, downloadSealed } from "./sealed-files";

/** Inline images fit this box; their height is known before they load, so the log keeps its layout. */
const MAX_W = 280;
const MAX_H = 320;

function placeholderUrl(hash: string | undefined): string | null {
  if (!hash) return null;
  try {
    return thumbHashToDataURL(Uint8Array.from(atob(hash), (c) => c.charCodeAt(0)));
  } catch {
    return null; // a placeholder that does not decode is only a missing nicety
  }
}

/** An image at its aspect ratio, painted with its ThumbHash until the thumbnail loads; opens the viewer. */
function ImageTile({ file }: { file: Attachment & { width: number; height: number } }) {
  const [loaded, setLoaded] = useState(false);
  const placeholder = useMemo(() => placeholderUrl(file.placeholder), [file.placeholder]);
  const scale = Math.min(1, MAX_W / file.width, MAX_H / file.height);
  const width = Math.max(1, Math.round(file.width * scale));
  const height = Math.max(1, Math.round(file.height * scale));
  // Set through the CSSOM (Preact's style object): the page's CSP allows no style attributes.
  const style: Record<string, string> = { aspectRatio: `${file.width} / ${file.height}` };
  if (placeholder && !loaded) style.backgroundImage = `url(${placeholder})`;
  return (
    <button type="button" class="attachment-image" tabIndex={-1} aria-label={`Open ${file.name}`} onClick={(e) => openImageViewer(file, e.currentTarget)}>
      <img src={file.thumbnailUrl ?? file.url} alt="" width={width} height={height} loading="lazy" decoding="async" style={style} onLoad={() => setLoaded(true)} />
    </button>
  );
}

/**
 * An encrypted image: its thumbnail (else the file) fetched and decrypted
 * here, over its ThumbHash meanwhile; the viewer gets the decrypted file.
 */
function SealedImageTile({ file }: { file: SealedAttachment & { width: number; height: number } }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    decryptedUrl(file, file.sealed.thumb ? "thumb" : "file").then((url) => live && setSrc(url), () => undefined);
    return () => void (live = false);
  }, [file.id, file.url]);
  const placeholder = useMemo(() => placeholderUrl(file.placeholder), [file.placeholder]);
  const scale = Math.min(1, MAX_W / file.width, MAX_H / file.height);
  const style: Record<string, string> = { aspectRatio: `${file.width} / ${file.height}` };
  if (placeholder && !src) style.backgroundImage = `url(${placeholder})`;
  return (
    <button type="button" class="attachment-image" tabIndex={-1} aria-label={`Open ${file.name}`} onClick={(e) => void openSealedImage(file, e.currentTarget)}>
      <img src={src ?? undefined} alt="" width={Math.max(1, Math.round(file.width * scale))} height={Math.max(1, Math.round(file.height * scale))} decoding="async" style={style} />
    </button>
  );
}

async function openSealedImage(file: SealedAttachment, returnFocus: HTMLElement | null): Promise<void> {
  const url = await decryptedUrl(file, "file");
  const thumb = file.sealed.thumb ? await decryptedUrl(file, "thumb") : undefined;
  openImageViewer({ ...file, url, ...(thumb ? { thumbnailUrl: thumb } : {}) }, returnFocus);
}

/** Any other file: a chip with name and size that downloads it (decrypted first in an encrypted channel). */
function FileChip({ file }: { file: Attachment }) {
  const sealed = isSealed(file) ? file : null;
  return (
    <a
      class="attachment-file"
      tabIndex={-1}
      href={sealed ? "#" : file.url}
      download={file.name}
      onClick={(e) => {
        if (!sealed) return;
        e.preventDefault();
        void downloadSealed(sealed);
      }}
    >
      <span class="attachment-name">{file.name}</span>
      <span class="attachment-size">{fileSize(file.size)}</span>
      <span class="attachment-action">Download</span>
    </a>
  );
}

/**
 * The same from a message's actions menu, for the keyboard (the log is one
 * Tab stop, so the tiles and chips are not): open each photo, download each file.
 */
export function attachmentActions(files: readonly Attachment[] | undefined, returnFocus: () => HTMLElement | null): MenuAction[] {
  return (files ?? []).map((f) =>
    isImageType(f.type) && f.width && f.height
      ? { label: `Open ${f.name}`, icon: ICONS.image, run: () => (isSealed(f) ? void openSealedImage(f, returnFocus()) : openImageViewer(f, returnFocus())) }
      : {
          label: `Download ${f.name}`,
          icon: ICONS.paperclip,
          run: () => (isSealed(f) ? void downloadSealed(f) : Object.assign(document.createElement("a"), { href: f.url, download: f.name }).click()),
        },
  );
}

/** A message's attachments, in the order sent. Tiles and chips are for the pointer; the actions menu has them too. */
export function MessageAttachments({ files }: { files: readonly Attachment[] | undefined }) {
  if (!files || files.length === 0) return null;
  return (
    <div class="attachments">
      {files.map((f) => {
        if (!(isImageType(f.type) && f.width && f.height)) return <FileChip key={f.id} file={f} />;
        const sized = { ...f, width: f.width, height: f.height };
        return isSealed(f) ? <SealedImageTile key={f.id} file={{ ...sized, sealed: f.sealed }} /> : <ImageTile key={f.id} file={sized} />;
      })}
    </div>
  );
}
