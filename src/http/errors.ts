import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, loggableError, type ErrorCode } from "../errors";

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  429: "rate_limited",
};

/** The single place where a failure becomes an HTTP response. Never a stack trace. */
export function errorResponse(err: unknown, c: Context): Response {
  let appError: AppError;
  if (err instanceof AppError) appError = err;
  else if (err instanceof HTTPException) {
    const code = CODE_OF_STATUS[err.status] ?? "internal";
    // Hono's own messages (e.g. malformed JSON) are safe to show; anything 5xx is not.
    appError = new AppError(code, code === "internal" ? "internal error" : err.message || code.replace("_", " "));
  } else {
    console.error("unhandled error", loggableError(err));
    appError = new AppError("internal", "internal error");
  }
  if (appError.retryAfterMs !== undefined) c.header("Retry-After", String(Math.ceil(appError.retryAfterMs / 1000)));
  return c.json({ error: appError.toBody() }, appError.status as ContentfulStatusCode);
}
