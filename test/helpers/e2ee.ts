import { expect } from "vitest";
import { E2eeSession, MemoryStore, MlsDevice, sealFile, type E2eeTransport, type SealedFile } from "../../src/client/e2ee";
import { upload } from "./attachments";
import { api, type TestUser } from "./http";

/**
 * Holds the next `n` commits posted through it until all `n` have been built,
 * then lets them reach the room together: a race on one epoch, every time.
 */
export class CommitBarrier {
  private waiting: (() => void)[] = [];
  constructor(private n: number) {}
  async pass(): Promise<void> {
    if (this.n <= 0) return;
    this.n--;
    const released = new Promise<void>((r) => this.waiting.push(r));
    if (this.n === 0) this.waiting.splice(0).forEach((r) => r());
    await released;
  }
}

/** The MLS module's transport over the test Worker: errors carry status and code, as the SDK's do. */
export function transport(user: TestUser, barrier?: { current?: CommitBarrier }): E2eeTransport {
  return async (method, path, body) => {
    if (method === "POST" && path.endsWith("/mls") && (body as { welcome?: string; data: string }).data) await barrier?.current?.pass();
    const res = await api(method, path, { token: user.token, json: body });
    if (res.status >= 400) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`), { status: res.status, code: res.body?.error?.code });
    return res.body;
  };
}

/** A real device of `user`: its own MLS identity and store, its KeyPackages published. */
export async function deviceOf(user: TestUser, device: string, barrier?: { current?: CommitBarrier }): Promise<E2eeSession> {
  const session = new E2eeSession(await MlsDevice.open(user.user.id, device, new MemoryStore()), transport(user, barrier));
  await session.publishKeyPackages();
  return session;
}

/** Encrypts `bytes` as the web app does and uploads the ciphertext; answers the file as the message names it. */
export async function sealedUpload(u: TestUser, channelId: string, bytes: Uint8Array<ArrayBuffer>, name = "report.pdf", type = "application/pdf"): Promise<SealedFile> {
  const sealed = await sealFile(new Blob([bytes]));
  const res = await upload(u, channelId, new Uint8Array(await sealed.data.arrayBuffer()), { name: "encrypted", type: "application/octet-stream" });
  expect(res.status).toBe(201);
  return { id: res.body.attachment.id, name, type, size: bytes.length, key: sealed.key, iv: sealed.iv };
}
