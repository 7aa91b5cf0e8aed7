import * as v from "valibot";

/** The error codes of docs/protocol.md ("Errors") and their HTTP status. */
export const ERROR_STATUS = {
  bad_request: 400,
  /** Asked of the server what only clients can do (search in an encrypted channel). */
  not_supported: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  member_limit: 409,
  channel_limit: 409,
  payload_too_large: 413,
  too_large: 413,
  quota_exceeded: 413,
  rate_limited: 429,
  internal: 500,
} as const;

export const ErrorCodeSchema = v.picklist(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]);
export type ErrorCode = v.InferOutput<typeof ErrorCodeSchema>;

/** The error object of an HTTP answer and, with `type: "error"`, of a socket's error frame. */
export const ErrorBodySchema = v.object({
  code: ErrorCodeSchema,
  message: v.string(),
  /** With `rate_limited`: how long to wait. */
  retryAfterMs: v.optional(v.number()),
});
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>;

/** The body of every failed HTTP request. */
export const ErrorResponse = v.object({ error: ErrorBodySchema });
