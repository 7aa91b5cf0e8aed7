import { AppError } from "../errors";

/**
 * Users whose socket the Worker closed for flooding (4429, src/sockets/relay.ts),
 * each until when the object refuses their new sockets: a reconnect loop must
 * not bring a fresh frame budget each time. In memory, like Budget: an evicted
 * object forgets, which only shortens a bench once.
 */
export class FloodBench {
  private readonly until = new Map<string, number>();

  constructor(private readonly benchMs: number) {}

  /** A socket of `userId` was closed for a flood: their next sockets wait. */
  bench(userId: string, now = Date.now()): void {
    this.until.set(userId, now + this.benchMs);
  }

  /** 429 while `userId` sits out a flood. */
  assertFree(userId: string, now = Date.now()): void {
    const until = this.until.get(userId);
    if (until === undefined) return;
    if (now < until) throw floodBenchError(until - now);
    this.until.delete(userId);
  }
}

/** The answer to a socket upgrade of someone sitting out a flood (the object's, and the Worker's own: src/http/flood-memory.ts). */
export function floodBenchError(waitMs: number): AppError {
  return new AppError("rate_limited", "this socket was closed for sending too many frames; wait before reconnecting", waitMs);
}
