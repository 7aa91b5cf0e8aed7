import { AppError } from "../errors";

/** Hosts a local push service may use when PUSH_INSECURE_ENDPOINTS=true. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1"]);

/**
 * Refuses push endpoints the Worker must not call: anything but https:,
 * except plain-http localhost when local tests run their own push service.
 */
export function checkPushEndpoint(url: string, allowInsecure: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError("bad_request", "push endpoint must be a URL");
  }
  if (parsed.protocol === "https:") return parsed;
  if (allowInsecure && parsed.protocol === "http:" && LOCAL_HOSTS.has(parsed.hostname)) return parsed;
  throw new AppError("bad_request", "push endpoint must be https:");
}
