import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDb } from "../src/accounts/db";
import { AppError, loggableError } from "../src/errors";

// What reaches the logs about an unexpected error: never the values of the query that failed.
describe("loggableError", () => {
  it("keeps a failed query's complaint but not its bound values", async () => {
    const secret = "secret message body 7f3a";
    const err = await openDb(env.DB)
      .run(sql`insert into no_such_table (body) values (${secret})`)
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    // The raw error carries the value; that is why it is never logged as is.
    expect((err as Error).message).toContain(secret);
    const logged = loggableError(err);
    expect(logged).not.toContain(secret);
    expect(logged).toMatch(/no such table/);
  });

  it("names other errors by kind and message", () => {
    expect(loggableError(new TypeError("x is undefined"))).toBe("TypeError: x is undefined");
    expect(loggableError(new AppError("conflict", "taken"))).toBe("Error: taken");
    expect(loggableError("a string")).toBe("unknown error");
  });
});
