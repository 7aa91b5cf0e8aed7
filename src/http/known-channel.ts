import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { idKey, verifyId } from "../placement/signed-id";

/**
 * A channel id the service did not mint (made up, or altered) gets the 404 a
 * missing channel gets, from the Worker: no object is named, so none is created.
 */
export const knownChannel = createMiddleware<AppEnv>(async (c, next) => {
  if (!(await verifyId(await idKey(c.env), c.req.param("id") ?? "", ["g", "d"]))) throw new AppError("not_found", "no such channel");
  await next();
});
