/**
 * The client's address as the platform reports it (CF-Connecting-IP, which
 * Cloudflare sets and clients cannot), or "" where there is none. An IPv6
 * address counts as its /64: one subscriber usually holds a whole /64, and
 * could otherwise take a fresh address for every attempt.
 */
export function clientAddress(req: Request): string {
  const ip = req.headers.get("CF-Connecting-IP")?.trim() ?? "";
  if (!ip.includes(":")) return ip.slice(0, 45);
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
