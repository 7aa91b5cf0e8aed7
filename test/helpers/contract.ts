import * as v from "valibot";
import { endpointsOf, pathMatches } from "../../src/http/api-docs/endpoints";
import { ErrorResponse } from "../../src/protocol";
import { app } from "../../src/worker";

const endpoints = endpointsOf(app);

/**
 * Every answer a test receives through `api()` is checked against the
 * contract: a success must have its status and body documented beside the
 * route (`doc()`), an error must be `{error: {code, message}}` with a known
 * code. So every test doubles as a check of the route it calls.
 */
export function checkAnswer(method: string, url: string, status: number, body: unknown): void {
  const path = new URL(url).pathname;
  const endpoint = endpoints.find((e) => e.method === method && pathMatches(e.path, path));
  if (status >= 400) {
    const parsed = v.safeParse(ErrorResponse, body);
    if (!parsed.success) throw new Error(`${method} ${path} answered ${status} with a body outside the error schema: ${JSON.stringify(body)} (${v.summarize(parsed.issues)})`);
    return;
  }
  if (!endpoint) throw new Error(`${method} ${path} answered ${status} but is no route of the app`);
  if (!endpoint.doc) throw new Error(`${method} ${endpoint.path} has no doc() beside it`);
  if (!(status in endpoint.doc.answers)) throw new Error(`${method} ${endpoint.path} answered ${status}, which its doc() does not list`);
  const schema = endpoint.doc.answers[status as keyof typeof endpoint.doc.answers];
  if (!schema) return;
  const parsed = v.safeParse(schema, body);
  if (!parsed.success) throw new Error(`${method} ${endpoint.path} answered ${status} outside its schema: ${v.summarize(parsed.issues)}`);
}
