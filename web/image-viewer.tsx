import { useId } from "preact/hooks";
import type { Attachment } from "../src/protocol";
import { Modal, mountModal } from "./dialogs";
import { Icon, ICONS } from "./icon";

/** The full-size image in a modal dialog named by the file; Escape, Close or a click on the image closes it. */
export function openImageViewer(file: Attachment, returnFocus: HTMLElement | null): void {
  mountModal((close) => (
    <ImageViewer
      file={file}
      close={() => {
        close();
        returnFocus?.focus({ preventScroll: true });
      }}
    />
  ));
}

function ImageViewer({ file, close }: { file: Attachment; close(): void }) {
  const id = useId();
  return (
    <Modal labelledBy={id} onCancel={close} class="image-viewer">
      {/* Sized from the message before it loads, over the thumbnail already fetched for the list. */}
      <img src={file.url} alt={file.name} width={file.width} height={file.height} style={file.thumbnailUrl ? { backgroundImage: `url("${file.thumbnailUrl}")` } : undefined} onClick={close} />
      <div class="viewer-bar">
        <span id={id} class="viewer-name">
          {file.name}
        </span>
        <a class="viewer-download" href={file.url} download={file.name}>
          Download
        </a>
        <button type="button" class="icon-button" aria-label="Close" onClick={close}>
          <Icon path={ICONS.close} />
        </button>
      </div>
    </Modal>
  );
}
