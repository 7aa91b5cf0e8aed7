import {
  createApplicationMessage,
  createCommit,
  createGroup,
  createProposal,
  decodeGroupState,
  decodeMlsMessage,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  joinGroup,
  processPrivateMessage,
  processPublicMessage,
  zeroOutUint8Array,
  type ClientState,
  type Proposal,
} from "ts-mls";
import { fromBase64, toBase64 } from "../../mls/bytes";
import { parseMlsIdentity, type Message, type MlsWelcome } from "../../protocol";
import { changeOf, openContent, sealContent, type SealedContent } from "./content";
import type { MlsDevice } from "./device";

/** A member device of the group as this device's copy of the tree shows it. */
export interface GroupMember {
  leaf: number;
  userId: string;
  device: string;
  signaturePublicKey: Uint8Array;
}

/** What a stored message of an encrypted channel turned out to be, for this device. */
export type Received =
  | { seq: number; kind: "content"; senderId: string; content: SealedContent }
  | { seq: number; kind: "commit" }
  /** A device asked its own leaf out (to leave); any other member may commit its removal. */
  | { seq: number; kind: "proposal"; leaf: number }
  | { seq: number; kind: "undecryptable"; reason: string };

/** A commit built on the current epoch, applied only once the room accepts it (exactly one wins each epoch). */
export interface PendingCommit {
  data: string;
  welcome?: string;
  /** Call after the room acked the commit: this device moves to the next epoch. */
  apply(): Promise<void>;
}

const stateKey = (channelId: string) => `group:${channelId}`;
const sentKey = (channelId: string, clientMsgId: string) => `sent:${channelId}:${clientMsgId}`;

/**
 * One encrypted channel on one device: its MLS group state (saved after every
 * change, since ratchets move on each message), encryption of content, and
 * processing of the room's messages in seq order.
 */
export class EncryptedChannel {
  private constructor(
    readonly device: MlsDevice,
    readonly channelId: string,
    private state: ClientState,
  ) {}

  /** A new group whose only member is this device (leaf 0), as the room is when created. */
  static async create(device: MlsDevice, channelId: string): Promise<EncryptedChannel> {
    const own = await device.freshKeyPackage();
    const state = await createGroup(new TextEncoder().encode(channelId), own.publicPackage, own.privatePackage, [], device.impl, device.config);
    const ch = new EncryptedChannel(device, channelId, state);
    await ch.save();
    return ch;
  }

  /** Joins with the Welcome of the commit that added this device. */
  static async join(device: MlsDevice, welcome: MlsWelcome): Promise<EncryptedChannel> {
    const decoded = decodeMlsMessage(fromBase64(welcome.welcome), 0)?.[0];
    if (decoded?.wireformat !== "mls_welcome") throw new Error("not a Welcome");
    const own = await device.keyPackageFor(decoded.welcome);
    if (!own) throw new Error("this Welcome is not for this device");
    const state = await joinGroup(decoded.welcome, own.publicPackage, own.privatePackage, emptyPskIndex, device.impl, undefined, undefined, device.config);
    await device.spend(own.ref, own.lastResort);
    const ch = new EncryptedChannel(device, welcome.channelId, state);
    await ch.save();
    return ch;
  }

  static async load(device: MlsDevice, channelId: string): Promise<EncryptedChannel | undefined> {
    const saved = await device.store.get(stateKey(channelId));
    if (!saved) return undefined;
    const decoded = decodeGroupState(saved, 0);
    if (!decoded) throw new Error("saved group state is unreadable");
    return new EncryptedChannel(device, channelId, { ...decoded[0], clientConfig: device.config } as ClientState);
  }

  get epoch(): number {
    return Number(this.state.groupContext.epoch);
  }

  get ownLeaf(): number {
    return this.state.privatePath.leafIndex;
  }

  members(): GroupMember[] {
    const out: GroupMember[] = [];
    this.state.ratchetTree.forEach((node, i) => {
      if (i % 2 !== 0 || node?.nodeType !== "leaf") return;
      const leaf = node.leaf;
      if (leaf.credential.credentialType !== "basic") return;
      const who = parseMlsIdentity(new TextDecoder().decode(leaf.credential.identity));
      if (who) out.push({ leaf: i / 2, ...who, signaturePublicKey: leaf.signaturePublicKey });
    });
    return out;
  }

  /** Encrypts content for the group; the plaintext is kept so this device can show its own message. */
  async encrypt(clientMsgId: string, content: SealedContent): Promise<{ clientMsgId: string; data: string; changeOf?: number }> {
    const plain = sealContent(content);
    const r = await createApplicationMessage(this.state, plain, this.device.impl);
    this.state = r.newState;
    r.consumed.forEach(zeroOutUint8Array);
    await this.save();
    await this.device.store.set(sentKey(this.channelId, clientMsgId), plain);
    const data = toBase64(encodeMlsMessage({ privateMessage: r.privateMessage, wireformat: "mls_private_message", version: "mls10" }));
    const target = changeOf(content);
    return target === undefined ? { clientMsgId, data } : { clientMsgId, data, changeOf: target };
  }

  /** Adds devices by their claimed KeyPackages (base64), in one commit with one Welcome. */
  add(keyPackages: string[]): Promise<PendingCommit> {
    const proposals: Proposal[] = keyPackages.map((kp) => {
      const m = decodeMlsMessage(fromBase64(kp), 0)?.[0];
      if (m?.wireformat !== "mls_key_package") throw new Error("not a KeyPackage");
      return { proposalType: "add", add: { keyPackage: m.keyPackage } };
    });
    return this.commit(proposals);
  }

  /** Removes the devices at these leaves (a member, or one's own other device). */
  remove(leaves: number[]): Promise<PendingCommit> {
    return this.commit(leaves.map((removed) => ({ proposalType: "remove", remove: { removed } })));
  }

  /**
   * A signed Remove proposal of this device's own leaf, to leave: MLS lets no
   * member commit its own removal, so another member commits it (inline).
   * The state is left as it was: this device commits nothing more.
   */
  async proposeLeave(): Promise<string> {
    const r = await createProposal(this.state, true, { proposalType: "remove", remove: { removed: this.ownLeaf } }, this.device.impl);
    return toBase64(encodeMlsMessage(r.message));
  }

  /** Fresh keys for this device's path (post-compromise security), changing no membership. */
  selfUpdate(): Promise<PendingCommit> {
    return this.commit([]);
  }

  private async commit(extraProposals: Proposal[]): Promise<PendingCommit> {
    // Public, so the room can check epoch and membership without any key; path secrets stay encrypted.
    const r = await createCommit({ state: this.state, cipherSuite: this.device.impl }, { extraProposals, wireAsPublicMessage: true, ratchetTreeExtension: true });
    const data = toBase64(encodeMlsMessage(r.commit));
    const welcome = r.welcome ? toBase64(encodeMlsMessage({ welcome: r.welcome, wireformat: "mls_welcome", version: "mls10" })) : undefined;
    const base = this.epoch;
    return {
      data,
      ...(welcome === undefined ? {} : { welcome }),
      apply: async () => {
        if (this.epoch !== base) throw new Error("the group moved on before this commit was applied");
        this.state = r.newState;
        r.consumed.forEach(zeroOutUint8Array);
        await this.save();
      },
    };
  }

  /**
   * Processes one stored message of the channel, in seq order. Commits from
   * epochs this device already passed (its own, or from before it joined) are
   * skipped; messages it cannot open say so instead of failing the stream.
   */
  async receive(message: Message): Promise<Received> {
    const seq = message.seq;
    const mls = message.mls;
    if (!mls) return { seq, kind: "undecryptable", reason: "not an MLS message" };
    if (mls.kind === "proposal") {
      // Read, not processed into the state: the commit that follows carries the removal inline.
      const m = decodeMlsMessage(fromBase64(mls.data), 0)?.[0];
      const p = m?.wireformat === "mls_public_message" && m.publicMessage.content.contentType === "proposal" ? m.publicMessage.content.proposal : undefined;
      if (p?.proposalType !== "remove" || mls.epoch > this.epoch) return { seq, kind: "undecryptable", reason: "not a Remove proposal of this group" };
      return { seq, kind: "proposal", leaf: p.remove.removed };
    }
    if (mls.kind === "commit") {
      if (mls.epoch < this.epoch) return { seq, kind: "commit" };
      if (mls.epoch > this.epoch) return { seq, kind: "undecryptable", reason: "a commit from a later epoch: an earlier one is missing" };
      const m = decodeMlsMessage(fromBase64(mls.data), 0)?.[0];
      if (m?.wireformat !== "mls_public_message") return { seq, kind: "undecryptable", reason: "not a commit" };
      try {
        const r = await processPublicMessage(this.state, m.publicMessage, emptyPskIndex, this.device.impl);
        this.state = r.newState;
        r.consumed.forEach(zeroOutUint8Array);
        await this.save();
        return { seq, kind: "commit" };
      } catch (err) {
        return { seq, kind: "undecryptable", reason: `commit refused: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    const own = message.senderId === this.device.userId ? await this.device.store.get(sentKey(this.channelId, message.clientMsgId)) : undefined;
    if (own) {
      const content = openContent(own);
      return content ? { seq, kind: "content", senderId: message.senderId, content } : { seq, kind: "undecryptable", reason: "unreadable" };
    }
    const m = decodeMlsMessage(fromBase64(mls.data), 0)?.[0];
    if (m?.wireformat !== "mls_private_message") return { seq, kind: "undecryptable", reason: "not an application message" };
    try {
      const r = await processPrivateMessage(this.state, m.privateMessage, emptyPskIndex, this.device.impl);
      this.state = r.newState;
      r.consumed.forEach(zeroOutUint8Array);
      await this.save();
      if (r.kind !== "applicationMessage") return { seq, kind: "undecryptable", reason: "not an application message" };
      const content = openContent(r.message);
      return content ? { seq, kind: "content", senderId: message.senderId, content } : { seq, kind: "undecryptable", reason: "unreadable content" };
    } catch {
      return { seq, kind: "undecryptable", reason: "this device cannot decrypt this message (sent before it joined, or after it left)" };
    }
  }

  /**
   * A member device's safety code: 12 groups of 5 digits from SHA-256 over
   * its identity and signature key, to compare out of band (as Signal does).
   */
  async safetyCode(member: GroupMember): Promise<string> {
    const id = new TextEncoder().encode(`${member.userId}\u0000${member.device}\u0000`);
    const bytes = new Uint8Array(id.length + member.signaturePublicKey.length);
    bytes.set(id);
    bytes.set(member.signaturePublicKey, id.length);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const groups: string[] = [];
    for (let i = 0; i < 12; i++) {
      const n = ((digest[i * 2]! << 16) | (digest[i * 2 + 1]! << 8) | digest[(i * 2 + 24) % 32]!) % 100000;
      groups.push(n.toString().padStart(5, "0"));
    }
    return groups.join(" ");
  }

  private async save(): Promise<void> {
    await this.device.store.set(stateKey(this.channelId), encodeGroupState(this.state));
  }
}
