import { E2eeSession, MemoryStore, MlsDevice, type E2eeTransport } from "../../src/client/e2ee";
import { api, type TestUser } from "./http";

/** The MLS module's transport over the test Worker: errors carry status and code, as the SDK's do. */
export function transport(user: TestUser): E2eeTransport {
  return async (method, path, body) => {
    const res = await api(method, path, { token: user.token, json: body });
    if (res.status >= 400) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`), { status: res.status, code: res.body?.error?.code });
    return res.body;
  };
}

/** A real device of `user`: its own MLS identity and store, its KeyPackages published. */
export async function deviceOf(user: TestUser, device: string): Promise<E2eeSession> {
  const session = new E2eeSession(await MlsDevice.open(user.user.id, device, new MemoryStore()), transport(user));
  await session.publishKeyPackages();
  return session;
}
