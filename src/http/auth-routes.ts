import { Hono } from "hono";
import { spendAddressBudget } from "../accounts/address-budget";
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from "../accounts/login-limit";
import { dummyPasswordHash, hashPassword, verifyPassword } from "../accounts/password";
import { createSession, deleteSession, deleteUserSessions } from "../accounts/sessions";
import { readConfig } from "../config";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { AuthResponse, LoginBody, SignupBody } from "../protocol";
import { findCredentials, insertUser, toUser } from "../accounts/users";
import { userHub } from "../user-hub/stub";
import { hintForRequest } from "../placement/location-hint";
import { idKey } from "../placement/signed-id";
import { newUserId } from "../accounts/user-id";
import { requireAuth } from "./auth-middleware";
import { clientAddress } from "./client-address";
import { validate } from "./validate";
import { doc } from "./api-docs/route-doc";
import { EXAMPLES } from "./api-docs/examples";

export const authRoutes = new Hono<AppEnv>()
  .post("/signup", doc({ tag: "Accounts", summary: "Create an account and a session", answers: { 201: AuthResponse }, errors: ["conflict", "rate_limited"], public: true, examples: { 201: EXAMPLES.auth } }), validate("json", SignupBody), async (c) => {
    const { handle, password, displayName } = c.req.valid("json");
    const db = c.var.db;
    await spendAddressBudget(db, "signup", clientAddress(c.req.raw), readConfig(c.env).signupAddressBudget);
    const id = await newUserId(await idKey(c.env), hintForRequest(c.req.raw));
    const user = await insertUser(db, { id, handle, displayName, passwordHash: await hashPassword(password) });
    const { token } = await createSession(db, user.id, readConfig(c.env).sessionTtlMs);
    return c.json({ user, token }, 201);
  })
  .post("/login", doc({ tag: "Accounts", summary: "Log in: a new session token", answers: { 200: AuthResponse }, errors: ["rate_limited"], public: true, examples: { 200: EXAMPLES.auth } }), validate("json", LoginBody), async (c) => {
    const { handle, password } = c.req.valid("json");
    const db = c.var.db;
    const config = readConfig(c.env);
    const address = clientAddress(c.req.raw);
    await assertLoginAllowed(db, handle, address, config);
    const row = await findCredentials(db, handle);
    // An unknown handle still pays for one hash, so timing does not reveal which handles exist.
    const valid = await verifyPassword(password, row?.passwordHash ?? (await dummyPasswordHash()));
    if (!row || !valid) {
      await recordLoginFailure(db, handle, address, config);
      throw new AppError("unauthorized", "wrong handle or password");
    }
    await clearLoginFailures(db, handle, address);
    const { token } = await createSession(db, row.id, config.sessionTtlMs);
    return c.json({ user: toUser(row), token });
  })
  .post("/logout", doc({ tag: "Accounts", summary: "End this session; its sockets close with 4401", answers: { 204: null } }), requireAuth, async (c) => {
    await deleteSession(c.var.db, c.var.sessionId);
    // Sockets opened with this token close with 4401.
    await userHub(c.env, c.var.userId).revokeSession(c.var.sessionId);
    return c.body(null, 204);
  })
  .post("/logout-all", doc({ tag: "Accounts", summary: "End every session of mine; all my sockets close with 4401", answers: { 204: null } }), requireAuth, async (c) => {
    await deleteUserSessions(c.var.db, c.var.userId);
    await userHub(c.env, c.var.userId).revokeAllSessions();
    return c.body(null, 204);
  });
