import { useMemo, useState } from "preact/hooks";
import { thumbHashToDataURL } from "thumbhash";
import { isImageType, type Attachment } from "../src/protocol";
import { fileSize } from "./format";
import { ICONS } from "./icon";
import { openImageViewer } from "./image-viewer";
import type { MenuAction } from "./message-menu";

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

/** Any other file: a chip with name and size that downloads it. */
function FileChip({ file }: { file: Attachment }) {
  return (
    <a class="attachment-file" tabIndex={-1} href={file.url} download={file.name}>
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
      ? { label: `Open ${f.name}`, icon: ICONS.image, run: () => openImageViewer(f, returnFocus()) }
      : {
          label: `Download ${f.name}`,
          icon: ICONS.paperclip,
          run: () => Object.assign(document.createElement("a"), { href: f.url, download: f.name }).click(),
        },
  );
}

/** A message's attachments, in the order sent. Tiles and chips are for the pointer; the actions menu has them too. */
export function MessageAttachments({ files }: { files: readonly Attachment[] | undefined }) {
  if (!files || files.length === 0) return null;
  return (
    <div class="attachments">
      {files.map((f) => (isImageType(f.type) && f.width && f.height ? <ImageTile key={f.id} file={{ ...f, width: f.width, height: f.height }} /> : <FileChip key={f.id} file={f} />))}
    </div>
  );
}
