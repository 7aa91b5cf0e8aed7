import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class UserHub extends DurableObject<Env> {
  async revokeSession(sessionId: string): Promise<void> {
    for (const ws of this.ctx.getWebSockets(`s:${sessionId}`)) ws.close(4401, "session revoked");
  }
}
