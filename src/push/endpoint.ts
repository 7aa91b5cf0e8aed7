import { AppError } from "../errors";

/** Hosts a local push service may use over plain http when PUSH_INSECURE_ENDPOINTS=true; nothing else is relaxed. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1"]);
/** Names that only resolve inside some network: the Worker must never be made to call into one. */
const PRIVATE_SUFFIXES = [".local", ".internal", ".localhost", ".home.arpa", ".lan"];
/** The URL parser writes every IPv4 form (`0x7f.1`, `2130706433`) as a dotted quad. */
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Refuses push endpoints the Worker must not call (a subscriber chooses the
 * URL the service POSTs to): https only, on the default port, to a public
 * host name. Plain-http localhost is allowed only when local tests run their
 * own push service.
 */
export function checkPushEndpoint(url: string, allowInsecure: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError("bad_request", "push endpoint must be a URL");
  }
  if (allowInsecure && parsed.protocol === "http:" && LOCAL_HOSTS.has(parsed.hostname)) return parsed;
  if (parsed.protocol !== "https:") throw new AppError("bad_request", "push endpoint must be https:");
  if (parsed.port !== "") throw new AppError("bad_request", "push endpoint must use the default https port");
  if (parsed.username !== "" || parsed.password !== "") throw new AppError("bad_request", "push endpoint must not carry credentials");
  const problem = hostProblem(parsed.hostname);
  if (problem) throw new AppError("bad_request", `push endpoint must name a public host, not ${problem}`);
  return parsed;
}

/** Why a host name is not a public one, or undefined when it is. */
function hostProblem(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (host.startsWith("[") || IPV4.test(host)) return "an IP address";
  if (!host.includes(".")) return "a single-label name";
  if (host === "localhost" || PRIVATE_SUFFIXES.some((s) => host.endsWith(s))) return "a local name";
  return undefined;
}
