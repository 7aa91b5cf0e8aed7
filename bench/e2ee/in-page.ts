// Runs inside Chromium (bundled by bench/e2ee/run.mjs): MLS operations of the
// client module, timed with performance.now(), no server involved.
import { EncryptedChannel, MemoryStore, MlsDevice } from "../../src/client/e2ee";

const fakeMessage = (seq: number, senderId: string, mls: { kind: "application" | "commit"; epoch: number; data: string }) => ({
  id: String(seq), seq, channelId: "g_bench", senderId, body: "", clientMsgId: `m${seq}`, createdAt: Date.now(), rev: seq, mls,
});

async function device(i: number) {
  return MlsDevice.open(`u${i}`, `d${i}`, new MemoryStore());
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const out = await fn();
  return [performance.now() - t, out];
}

/** Group of `size` devices: the creator's group, then one commit adding the other size-1 devices. */
async function scenario(size: number) {
  const creator = await device(0);
  const others = await Promise.all(Array.from({ length: size - 1 }, (_, i) => device(i + 1)));
  const packages = await Promise.all(others.map(async (d) => (await d.newKeyPackages(1)).keyPackages[0]!));
  const [createMs, group] = await time(async () => {
    const g = await EncryptedChannel.create(creator, "g_bench");
    const c = await g.add(packages);
    await c.apply();
    return { g, welcome: c.welcome! };
  });
  const receiver = await EncryptedChannel.join(others[0]!, { channelId: "g_bench", seq: 1, epoch: 1, welcome: group.welcome, createdAt: 0 });
  const sends: number[] = [];
  for (let i = 0; i < 20; i++) {
    const [ms] = await time(async () => {
      const sealed = await group.g.encrypt(`c${i}`, { type: "text", body: "a message of ordinary length, about sixty characters long" });
      const r = await receiver.receive(fakeMessage(10 + i, "u0", { kind: "application", epoch: group.g.epoch, data: sealed.data }) as never);
      if (r.kind !== "content") throw new Error("send did not decrypt");
    });
    sends.push(ms);
  }
  const extra = await device(size);
  const kp = (await extra.newKeyPackages(1)).keyPackages[0]!;
  const [addMs] = await time(async () => {
    const c = await group.g.add([kp]);
    await c.apply();
  });
  const target = group.g.members().find((m) => m.userId === "u2")!.leaf;
  const [removeMs] = await time(async () => {
    const c = await group.g.remove([target]);
    await c.apply();
  });
  sends.sort((a, b) => a - b);
  return { size, createMs, sendP50Ms: sends[sends.length >> 1]!, addMs, removeMs };
}

(globalThis as any).runE2eeBench = async (sizes: number[]) => {
  const out = [];
  for (const s of sizes) out.push(await scenario(s));
  return out;
};
