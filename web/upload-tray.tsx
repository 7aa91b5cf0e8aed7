import { fileSize } from "./format";
import { Icon, ICONS } from "./icon";
import type { UploadItem, UploadQueue } from "./upload-queue";

function status(u: UploadItem): string {
  if (u.state === "preparing") return "Preparing…";
  if (u.state === "uploading") return `${fileSize(u.loaded)} of ${fileSize(u.total)}`;
  if (u.state === "done") return `${fileSize(u.total)} ready`;
  return u.error ?? "Upload failed";
}

/** The uploads above the composer: name, a progress bar, how far or why it failed, and cancel. */
export function UploadTray({ queue }: { queue: UploadQueue }) {
  const items = queue.items.value;
  if (items.length === 0) return null;
  return (
    <ul class="upload-tray" aria-label="Attachments">
      {items.map((u) => (
        <li key={u.key} class={`upload ${u.state}`}>
          <span class="upload-name">{u.name}</span>
          <progress max={Math.max(1, u.total)} value={u.state === "failed" ? 0 : u.loaded} aria-label={`Uploading ${u.name}`} />
          {/* A failure is said at once; progress is not (it would chatter). */}
          <span class="upload-status" role={u.state === "failed" ? "alert" : undefined}>
            {status(u)}
          </span>
          <button type="button" class="icon-button" aria-label={u.state === "done" || u.state === "failed" ? `Remove ${u.name}` : `Cancel ${u.name}`} onClick={() => queue.cancel(u.key)}>
            <Icon path={ICONS.close} />
          </button>
        </li>
      ))}
    </ul>
  );
}
