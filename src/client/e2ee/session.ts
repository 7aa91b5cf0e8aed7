import type { Channel, ClaimedKeyPackage, Message, MlsLeaf, MlsWelcome } from "../../protocol";
import { Emitter } from "../emitter";
import { EncryptedChannel, type PendingCommit, type Received } from "./channel";
import type { SealedContent } from "./content";
import type { MlsDevice } from "./device";

/** How the MLS module reaches the server: one JSON call, throwing an error with `status` and `code` on failure. */
export type E2eeTransport = (method: string, path: string, body?: unknown) => Promise<any>;

/** KeyPackages a device keeps on the server; it tops up below half. */
const KEY_PACKAGE_BATCH = 20;
const COMMIT_RETRIES = 5;
/**
 * Devices added per commit: a commit carries each added KeyPackage and its
 * Welcome the whole ratchet tree, and both must fit one 64 KiB body.
 */
const ADDS_PER_COMMIT = 10;

interface Claimed extends ClaimedKeyPackage {
  userId: string;
}

const deviceKey = (d: { userId: string; device: string }) => `${d.userId}\u0000${d.device}`;

/** Every device a commit was to add is in the group already (another member added it first). */
class NothingToAdd extends Error {}

/**
 * One signed-in device's encrypted channels: publishing KeyPackages,
 * creating groups and DMs, adding and removing members by commit, sending
 * and reading. Hooks into the app through a transport, so it stands apart
 * from the rest of the SDK.
 */
export class E2eeSession {
  /**
   * Every message this device processed, once, in seq order per channel
   * (also those read inside a commit's catch-up): an app keeps what it
   * decrypted here, since the ratchet cannot open a message twice.
   */
  readonly events = new Emitter<{ received: { channelId: string; message: Message; received: Received } }>();
  private readonly channels = new Map<string, EncryptedChannel>();
  /** One operation at a time: each reads and replaces the group state, and interleaved they would lose a step. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Per channel: devices whose Remove proposals this device read and that are still in the group (by deviceKey). */
  private readonly askedOut = new Map<string, Set<string>>();
  /** Per channel: the highest seq this device has processed. */
  private readonly cursors = new Map<string, number>();
  /** Commits the room refused as stale and this device rebuilt (another commit won the epoch). */
  staleRetries = 0;

  constructor(
    readonly device: MlsDevice,
    private readonly call: E2eeTransport,
  ) {}

  /** Publishes a batch (and a last-resort KeyPackage the first time) when the server holds fewer than half. */
  async publishKeyPackages(): Promise<number> {
    const have = await this.call("GET", `/e2ee/key-packages?device=${encodeURIComponent(this.device.device)}`);
    if (have.count >= KEY_PACKAGE_BATCH / 2 && have.lastResort) return have.count;
    const batch = await this.device.newKeyPackages(KEY_PACKAGE_BATCH - have.count, !have.lastResort);
    return (await this.call("POST", "/e2ee/key-packages", { device: this.device.device, ...batch })).count;
  }

  async createGroup(title: string): Promise<{ channel: Channel; group: EncryptedChannel }> {
    const { channel } = await this.call("POST", "/channels", { title, members: [], encrypted: true, device: this.device.device });
    return { channel, group: await this.track(await EncryptedChannel.create(this.device, channel.id)) };
  }

  async createDm(handle: string): Promise<{ channel: Channel; group: EncryptedChannel }> {
    const { channel } = await this.call("POST", "/dms", { handle, encrypted: true, device: this.device.device });
    const group = (await this.open(channel.id)) ?? (await this.track(await EncryptedChannel.create(this.device, channel.id)));
    return { channel, group };
  }

  /** The group of a channel this device is in, from memory or the store. */
  async open(channelId: string): Promise<EncryptedChannel | undefined> {
    const known = this.channels.get(channelId);
    if (known) return known;
    const loaded = await EncryptedChannel.load(this.device, channelId);
    if (!loaded) return undefined;
    const cursor = await this.device.store.get(`cursor:${channelId}`);
    if (cursor) this.cursors.set(channelId, Number(new TextDecoder().decode(cursor)));
    return this.track(loaded);
  }

  /** Adds every device of these users that is not in the group yet: one KeyPackage claimed per device. */
  addUsers(channelId: string, handles: string[]): Promise<Message> {
    return this.serial(async () => {
      const group = await this.require(channelId);
      const claimed: Claimed[] = [];
      for (const handle of handles) claimed.push(...(await this.claim({ handle }, group)));
      if (claimed.length === 0) throw new Error("no device of theirs can be added (none published KeyPackages)");
      const last = await this.addClaimed(channelId, claimed);
      if (!last) throw new Error("their devices are in the group already");
      return last;
    });
  }

  /**
   * Adds the devices of these member users that published KeyPackages but
   * are not leaves yet (a user's new phone or tab), with nobody asking: a
   * user's other devices do it, or any member. Devices racing to add the
   * same one go through the room's epoch order; the losers find nothing
   * left to add. A user with a device asking out (leaving) is left alone.
   * Resolves to the last commit, or undefined if none was needed.
   */
  addNewDevices(channelId: string, userIds: string[]): Promise<Message | undefined> {
    return this.serial(async () => {
      await this.syncNow(channelId, false);
      const group = await this.require(channelId);
      // A user whose device asked out may be leaving with every device: adding one back would keep them in.
      const { leaves } = (await this.call("GET", `/channels/${channelId}/mls`)) as { leaves: MlsLeaf[] };
      const leaving = new Set(leaves.filter((l) => l.leaving !== undefined).map((l) => l.userId));
      const claimed: Claimed[] = [];
      for (const userId of new Set(userIds)) {
        if (!leaving.has(userId) && group.members().some((m) => m.userId === userId)) claimed.push(...(await this.claim({ userId }, group)));
      }
      return this.addClaimed(channelId, claimed);
    });
  }

  /** Every encrypted channel this device is in. */
  async channelIds(): Promise<string[]> {
    return (await this.device.store.keys("group:")).map((key) => key.slice("group:".length));
  }

  /** One KeyPackage of each device of a user that is not in the group yet. */
  private async claim(who: { handle: string } | { userId: string }, group: EncryptedChannel): Promise<Claimed[]> {
    const mine = (userId: string) => group.members().filter((m) => m.userId === userId).map((m) => m.device);
    const body = "userId" in who ? { ...who, except: mine(who.userId) } : who;
    const claimed = await this.call("POST", "/e2ee/key-packages/claim", body);
    const have = new Set(mine(claimed.userId));
    return (claimed.keyPackages as ClaimedKeyPackage[]).filter((kp) => !have.has(kp.device)).map((kp) => ({ userId: claimed.userId, ...kp }));
  }

  /**
   * Commits adds of claimed KeyPackages, ADDS_PER_COMMIT at a time; each
   * commit is built again on the current tree, so a device someone else
   * added meanwhile is left out rather than refused.
   */
  private async addClaimed(channelId: string, claimed: Claimed[]): Promise<Message | undefined> {
    const inGroup = (g: EncryptedChannel, c: Claimed) => g.members().some((m) => m.userId === c.userId && m.device === c.device);
    let last: Message | undefined;
    for (let i = 0; i < claimed.length; i += ADDS_PER_COMMIT) {
      const chunk = claimed.slice(i, i + ADDS_PER_COMMIT);
      try {
        last = await this.commit(channelId, (g) => {
          const todo = chunk.filter((c) => !inGroup(g, c));
          if (todo.length === 0) throw new NothingToAdd();
          return g.add(todo.map((c) => c.keyPackage));
        });
      } catch (err) {
        if (!(err instanceof NothingToAdd)) throw err;
      }
    }
    return last;
  }

  /** Removes every device of a user (the channel's creator), or one's own other device. */
  removeDevices(channelId: string, which: (m: { userId: string; device: string }) => boolean): Promise<Message> {
    return this.serial(() => this.commit(channelId, (g) => {
      const leaves = g.members().filter((m) => m.leaf !== g.ownLeaf && which(m)).map((m) => m.leaf);
      if (leaves.length === 0) throw new Error("no such device in the group");
      return g.remove(leaves);
    }));
  }

  /**
   * Leaves an encrypted group: removes this user's other devices by commit,
   * then asks this device out by a Remove proposal, which the next member
   * device online commits (it happens in their `sync`). Until then this
   * user stays a member.
   */
  leave(channelId: string): Promise<Message> {
    return this.serial(async () => {
      const group = await this.require(channelId);
      const others = () => group.members().filter((m) => m.userId === this.device.userId && m.leaf !== group.ownLeaf);
      if (others().length > 0) await this.commit(channelId, (g) => g.remove(others().map((m) => m.leaf)));
      return this.proposeOwnRemoval(channelId, group);
    });
  }

  /**
   * Logging out: in each encrypted channel where another device of this user
   * stays, this device asks itself out (a Remove proposal the others commit);
   * where it is the user's only device it stays, or logging out would make
   * the user leave. Then its KeyPackages are dropped, so nobody adds it again.
   */
  logOut(): Promise<void> {
    return this.serial(async () => {
      for (const channelId of await this.channelIds()) {
        const group = await this.open(channelId);
        if (!group?.members().some((m) => m.userId === this.device.userId && m.leaf !== group.ownLeaf)) continue;
        await this.proposeOwnRemoval(channelId, group).catch(() => undefined);
      }
      await this.call("DELETE", `/e2ee/key-packages?device=${encodeURIComponent(this.device.device)}`);
    });
  }

  private async proposeOwnRemoval(channelId: string, group: EncryptedChannel): Promise<Message> {
    for (let attempt = 0; ; attempt++) {
      await this.syncNow(channelId, false);
      try {
        return (await this.call("POST", `/channels/${channelId}/mls`, { device: this.device.device, clientMsgId: crypto.randomUUID(), data: await group.proposeLeave() })).message;
      } catch (err) {
        if ((err as { code?: string }).code !== "conflict" || attempt >= COMMIT_RETRIES) throw err;
      }
    }
  }

  selfUpdate(channelId: string): Promise<Message> {
    return this.serial(() => this.commit(channelId, (g) => g.selfUpdate()));
  }

  /**
   * Sends a commit built on the latest epoch: if the room refuses it as stale
   * (another commit won the epoch), this device catches up and builds it again.
   */
  private async commit(channelId: string, build: (g: EncryptedChannel) => Promise<PendingCommit>): Promise<Message> {
    const group = await this.require(channelId);
    for (let attempt = 0; ; attempt++) {
      await this.syncNow(channelId, false);
      const pending = await build(group);
      try {
        const { message } = await this.call("POST", `/channels/${channelId}/mls`, {
          device: this.device.device,
          clientMsgId: crypto.randomUUID(),
          data: pending.data,
          ...(pending.welcome === undefined ? {} : { welcome: pending.welcome }),
        });
        await pending.apply();
        await this.moveCursor(channelId, Math.max(this.cursors.get(channelId) ?? 0, message.seq));
        return message;
      } catch (err) {
        if ((err as { code?: string }).code !== "conflict" || attempt >= COMMIT_RETRIES) throw err;
        this.staleRetries++;
      }
    }
  }

  /**
   * Sends content; the uploads its files name are tied to the message (the
   * server keeps and counts them as for any message). `dropAttachments`, with
   * a delete of one's own message that had files, lets the server drop them.
   */
  send(channelId: string, content: SealedContent, clientMsgId: string = crypto.randomUUID(), options: { dropAttachments?: boolean } = {}): Promise<Message> {
    const files = content.type === "text" && content.files?.length ? { attachments: content.files.map((f) => f.id) } : {};
    const drop = options.dropAttachments && content.type === "delete" ? { dropAttachments: true } : {};
    return this.serial(async () => {
      const group = await this.require(channelId);
      for (let attempt = 0; ; attempt++) {
        const sealed = await group.encrypt(clientMsgId, content);
        try {
          return (await this.call("POST", `/channels/${channelId}/mls`, { device: this.device.device, ...sealed, ...files, ...drop })).message;
        } catch (err) {
          // A commit moved the group on (perhaps removing someone): read it, and encrypt for the new epoch.
          if ((err as { code?: string }).code !== "conflict" || attempt >= COMMIT_RETRIES) throw err;
          await this.syncNow(channelId);
        }
      }
    });
  }

  /** Reads and processes everything after this device's cursor, in seq order. */
  sync(channelId: string): Promise<Received[]> {
    return this.serial(() => this.syncNow(channelId));
  }

  /** The highest seq this device processed in a channel (0 before any). */
  cursor(channelId: string): number {
    return this.cursors.get(channelId) ?? 0;
  }

  /**
   * With `commitLeaves`, a device that read Remove proposals of others
   * commits them (how members leave). A sync without it (before building a
   * commit of its own) keeps what it read for the next one that may.
   */
  private async syncNow(channelId: string, commitLeaves = true): Promise<Received[]> {
    const group = await this.require(channelId);
    const out: Received[] = [];
    const asked = this.askedOut.get(channelId) ?? new Set<string>();
    for (;;) {
      const after = this.cursors.get(channelId) ?? 0;
      const page = await this.call("GET", `/channels/${channelId}/messages?after=${after}&limit=200`);
      for (const m of page.messages as Message[]) {
        if (m.seq <= this.cursor(channelId)) continue;
        const received = await group.receive(m);
        out.push(received);
        // Kept by device, not leaf: a leaf index is reused once its device is gone.
        if (received.kind === "proposal") for (const d of group.members()) if (d.leaf === received.leaf) asked.add(deviceKey(d));
        await this.moveCursor(channelId, m.seq);
        this.events.emit("received", { channelId, message: m, received });
      }
      if (!page.hasMore) break;
    }
    if (asked.size > 0) this.askedOut.set(channelId, asked);
    if (commitLeaves && asked.size > 0) await this.commitLeaves(channelId, asked);
    return out;
  }

  /** Commits the removal of devices that asked out; another member may have done it first. */
  private async commitLeaves(channelId: string, asked: Set<string>): Promise<void> {
    try {
      await this.commit(channelId, (g) => {
        const leaves = g.members().filter((m) => asked.has(deviceKey(m)) && m.leaf !== g.ownLeaf).map((m) => m.leaf);
        if (leaves.length === 0) throw new Error("already removed");
        return g.remove(leaves);
      });
      this.askedOut.delete(channelId);
    } catch {
      // Removed by someone else's commit meanwhile, or this device may not: the next reader does it.
      const group = await this.open(channelId);
      const left = group?.members().filter((m) => asked.has(deviceKey(m))) ?? [];
      if (left.length === 0) this.askedOut.delete(channelId);
    }
  }

  /** Joins every channel a Welcome in this user's UserHub was made for, that this device is not in yet. */
  joinWelcomed(): Promise<EncryptedChannel[]> {
    return this.serial(() => this.joinWelcomedNow());
  }

  private async joinWelcomedNow(): Promise<EncryptedChannel[]> {
    const { welcomes } = (await this.call("GET", "/e2ee/welcomes")) as { welcomes: MlsWelcome[] };
    const joined: EncryptedChannel[] = [];
    for (const w of welcomes) {
      if (await this.open(w.channelId)) continue;
      try {
        const group = await EncryptedChannel.join(this.device, w);
        this.track(group);
        // Everything up to the commit that added us is from before we joined.
        await this.moveCursor(w.channelId, w.seq);
        joined.push(group);
      } catch {
        // A Welcome for another device of this user.
      }
    }
    return joined;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Saved with the group state: a reloaded device must not feed a ratchet the same message twice. */
  private async moveCursor(channelId: string, seq: number): Promise<void> {
    this.cursors.set(channelId, seq);
    await this.device.store.set(`cursor:${channelId}`, new TextEncoder().encode(String(seq)));
  }

  private track(group: EncryptedChannel): EncryptedChannel {
    this.channels.set(group.channelId, group);
    return group;
  }

  private async require(channelId: string): Promise<EncryptedChannel> {
    const group = await this.open(channelId);
    if (!group) throw new Error("this device is not in that encrypted channel");
    return group;
  }
}
