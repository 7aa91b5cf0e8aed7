import { useEffect, useId, useState } from "preact/hooks";
import type { Channel } from "../src/client";
import { Modal, mountModal } from "./dialogs";
import type { Conversation, DeviceCode } from "./encryption";
import { memberName } from "./names";

/**
 * The verify view of an encrypted channel: each member device's safety code
 * (from its credential and signature key), the same on every member's
 * screen. Comparing them in person or on a call shows that nobody, the
 * server included, slipped a device of its own into the group.
 */
export function openVerifyDialog(conversation: Conversation, channel: Channel | null, meId: string): void {
  mountModal((close) => <VerifyDialog conversation={conversation} channel={channel} meId={meId} close={close} />);
}

function VerifyDialog({ conversation, channel, meId, close }: { conversation: Conversation; channel: Channel | null; meId: string; close(): void }) {
  const id = useId();
  const [codes, setCodes] = useState<DeviceCode[] | null>(null);
  useEffect(() => void conversation.deviceCodes().then(setCodes, () => setCodes([])), []);
  const name = (c: DeviceCode) => (c.own ? "This device" : c.userId === meId ? "Your other device" : memberName(channel, c.userId));
  return (
    <Modal labelledBy={id} onCancel={close}>
      <div class="dialog-form">
        <h2 id={id}>Verify safety codes</h2>
        <p class="dialog-text muted">
          Messages here are end-to-end encrypted: only these devices can read them. Compare each code with the person it belongs to, in person or on a call. If a code differs, or
          a device is one they do not know, someone else may be reading.
        </p>
        {codes === null ? (
          <p>Loading…</p>
        ) : codes.length === 0 ? (
          <p>This device is not in this encrypted conversation, so it has no codes to show.</p>
        ) : (
          <ul class="safety-codes" aria-label="Safety codes">
            {codes.map((c) => (
              <li key={`${c.userId}:${c.device}`} aria-label={`${name(c)} (${c.device})`}>
                <strong>{name(c)}</strong> <span class="muted">{c.device}</span>
                <div class="safety-code">{c.code}</div>
              </li>
            ))}
          </ul>
        )}
        <div class="dialog-actions">
          <button type="button" class="primary" onClick={close}>
            Done
          </button>
        </div>
      </div>
    </Modal>
  );
}
