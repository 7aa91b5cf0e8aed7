import { vValidator } from "@hono/valibot-validator";
import type { ValidationTargets } from "hono";
import * as v from "valibot";
import { AppError } from "../errors";

/** Hono validation middleware whose failures become one `bad_request`, naming the first problem. */
export function validate<T extends keyof ValidationTargets, S extends v.GenericSchema>(target: T, schema: S, failAs: "bad_request" | "not_found" | "forbidden" = "bad_request") {
  return vValidator(target, schema, (result) => {
    if (result.success) return;
    if (failAs === "not_found") throw new AppError("not_found", "no such channel");
    throw failAs === "forbidden" ? new AppError("forbidden", "this link is invalid or has expired") : badRequest(result.issues);
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
