import { describe, expect, it } from "vitest";
import { readConfig } from "../src/config";
import { dm, users } from "./helpers/channels";
import { openSocket, type TestSocket } from "./helpers/socket";

// MAX_SOCKETS_PER_USER (default 20): per user on one channel, and per user on the inbox.
const MAX = readConfig({}).maxSocketsPerUser;

async function openMany(path: string, token: string, n: number): Promise<TestSocket[]> {
  const out: TestSocket[] = [];
  for (let i = 0; i < n; i++) {
    const ws = await openSocket(path, token, `dev${i}`);
    await ws.next("welcome");
    out.push(ws);
  }
  return out;
}

describe("sockets per user", () => {
  it(`refuses a user's socket past ${MAX} on one channel with 429, and takes one again after a close`, async () => {
    const [a, b] = await users(2, "sock");
    const channel = await dm(a!, b!);
    const path = `/channels/${channel.id}/socket`;
    const open = await openMany(path, a!.token, MAX);
    await expect(openSocket(path, a!.token, "one-too-many")).rejects.toThrow(/429/);
    // Another member of the same channel is not held back by a's sockets.
    const other = await openSocket(path, b!.token);
    await other.next("welcome");
    open.pop()!.close();
    const again = await (async () => {
      for (let i = 0; i < 50; i++) {
        try {
          return await openSocket(path, a!.token, "again");
        } catch {
          await new Promise((r) => setTimeout(r, 50)); // the close reaches the room a moment later
        }
      }
      throw new Error("no socket after a close");
    })();
    await again.next("welcome");
    for (const ws of [...open, other, again]) ws.close();
  }, 30_000);

  it(`refuses an inbox socket past ${MAX} with 429`, async () => {
    const [a] = await users(1, "isock");
    const open = await openMany("/inbox/socket", a!.token, MAX);
    await expect(openSocket("/inbox/socket", a!.token, "one-too-many")).rejects.toThrow(/429/);
    for (const ws of open) ws.close();
  }, 30_000);
});
