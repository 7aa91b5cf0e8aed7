import type * as v from "valibot";
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "./protocol/errors";
import type { resultSchema } from "./protocol/rpc";

export { ERROR_STATUS, type ErrorBody, type ErrorCode };

/**
 * The one error type of the service. Thrown anywhere, turned into a response
 * (HTTP) or an `error` frame (sockets) in one place each.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, retryAfterMs?: number) {
    super(message);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return this.retryAfterMs === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retryAfterMs: this.retryAfterMs };
  }

  /** The HTTP answer an object gives before any socket exists (the Worker passes it on as is). */
  toResponse(): Response {
    return Response.json({ error: this.toBody() }, { status: this.status });
  }

  static from(body: ErrorBody): AppError {
    return new AppError(body.code, body.message, body.retryAfterMs);
  }
}

/**
 * Durable Object RPC does not keep error classes, so object methods that can
 * refuse return a Result, and the Worker unwraps it back into an AppError.
 */
export type Result<T> = v.InferOutput<ReturnType<typeof resultSchema<v.GenericSchema<T>>>>;

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Runs `fn`, turning an AppError into a failed Result; anything else still throws. */
export async function toResult<T>(fn: () => T | Promise<T>): Promise<Result<T>> {
  try {
    return ok(await fn());
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: err.toBody() };
    throw err;
  }
}

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw AppError.from(result.error);
}

/**
 * What may be logged about an unexpected error: its kind and the database's
 * own complaint, never the values involved. drizzle's query errors put every
 * bound parameter (message bodies, password hashes) in their message.
 */
export function loggableError(err: unknown): string {
  if (!(err instanceof Error)) return "unknown error";
  if ("params" in err && "query" in err) {
    const cause = err.cause instanceof Error ? err.cause.message : "";
    return `query failed: ${cause}`;
  }
  return `${err.name}: ${err.message}`;
}

