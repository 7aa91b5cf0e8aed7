import type { ValidationTargets } from "hono";
import { validator } from "hono-openapi";
import * as v from "valibot";
import { AppError } from "../errors";

/**
 * Hono validation middleware whose failures become one `bad_request`, naming
 * the first problem. hono-openapi's validator, so the schema also documents
 * the route's body, query or parameters in /api/openapi.json.
 */
export function validate<T extends keyof ValidationTargets, S extends v.GenericSchema>(target: T, schema: S, failAs: "bad_request" | "not_found" | "forbidden" = "bad_request") {
  return validator(target, schema, (result) => {
    if (result.success) return;
    if (failAs === "not_found") throw new AppError("not_found", "no such channel");
    // valibot's Standard Schema issues are valibot issues.
    throw failAs === "forbidden" ? new AppError("forbidden", "this link is invalid or has expired") : badRequest(result.error as readonly v.BaseIssue<unknown>[]);
  });
}

export function badRequest(issues: readonly v.BaseIssue<unknown>[]): AppError {
  const first = issues[0];
  const path = first?.path?.map((p) => String(p.key)).join(".");
  return new AppError("bad_request", first ? (path ? `${path}: ${first.message}` : first.message) : "invalid input");
}

/** Parses with a schema outside of Hono (socket frames), throwing the same error. */
export function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw badRequest(result.issues);
  return result.output;
}
