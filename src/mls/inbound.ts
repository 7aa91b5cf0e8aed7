import { AppError } from "../errors";
import { decodeMls, keyPackageOwner } from "./wire";

export interface DeviceRef {
  userId: string;
  device: string;
}

/** What the room can read of an MLS message without any key (RFC 9420 §6). */
export type Inbound =
  | { kind: "application"; epoch: number }
  | { kind: "commit"; epoch: number; senderLeaf: number; adds: DeviceRef[]; removes: number[] }
  /** A member asking its own leaf out (RFC 9420 §12.1.3): another member commits it. */
  | { kind: "proposal"; epoch: number; senderLeaf: number; removed: number };

/**
 * Reads the public parts of a message for an encrypted channel: its group,
 * epoch and kind, and for a commit its sender and membership effect.
 * Application messages must be PrivateMessages (ciphertext). Commits must be
 * PublicMessages whose proposals are inline adds and removes, so the room can
 * keep its member list equal to the group's without holding any key. The one
 * standalone proposal is a device's Remove of itself, since MLS lets no
 * member commit its own removal.
 */
export function readInbound(base64: string, channelId: string): Inbound {
  const m = decodeMls(base64, "data");
  const groupId = new TextEncoder().encode(channelId);
  if (m.wireformat === "mls_private_message") {
    const pm = m.privateMessage;
    if (!sameBytes(pm.groupId, groupId)) throw new AppError("bad_request", "data: the message is for another group");
    if (pm.contentType !== "application") throw new AppError("bad_request", "data: commits and proposals must be sent as PublicMessages");
    return { kind: "application", epoch: Number(pm.epoch) };
  }
  if (m.wireformat !== "mls_public_message") throw new AppError("bad_request", "data: expected a PrivateMessage or a PublicMessage");
  const content = m.publicMessage.content;
  if (!sameBytes(content.groupId, groupId)) throw new AppError("bad_request", "data: the message is for another group");
  if (content.sender.senderType !== "member") throw new AppError("forbidden", "data: only a member of the group may commit or propose");
  if (content.contentType === "proposal") {
    const p = content.proposal;
    if (p.proposalType !== "remove" || p.remove.removed !== content.sender.leafIndex) {
      throw new AppError("bad_request", "data: the only standalone proposal is a device's Remove of its own leaf (to leave); send other proposals inside a commit");
    }
    return { kind: "proposal", epoch: Number(content.epoch), senderLeaf: content.sender.leafIndex, removed: p.remove.removed };
  }
  if (content.contentType !== "commit") throw new AppError("bad_request", "data: only commits and Remove proposals may travel as PublicMessages");
  const adds: DeviceRef[] = [];
  const removes: number[] = [];
  for (const p of content.commit.proposals) {
    if (p.proposalOrRefType !== "proposal") throw new AppError("bad_request", "data: a commit must carry its proposals inline");
    const proposal = p.proposal;
    if (proposal.proposalType === "add") {
      const owner = keyPackageOwner(proposal.add.keyPackage);
      if (!owner) throw new AppError("bad_request", "data: an added KeyPackage must name a user and device");
      adds.push(owner);
    } else if (proposal.proposalType === "remove") {
      removes.push(proposal.remove.removed);
    } else {
      throw new AppError("bad_request", `data: ${proposal.proposalType} proposals are not supported here`);
    }
  }
  return { kind: "commit", epoch: Number(content.epoch), senderLeaf: content.sender.leafIndex, adds, removes };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
