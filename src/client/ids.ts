/**
 * A random clientMsgId. Uses getRandomValues rather than randomUUID because
 * randomUUID is missing in insecure browser contexts (plain http on a LAN address).
 */
export function newClientMsgId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** A device name for this process or tab: 1 to 64 characters, as the protocol asks. */
export function newDeviceId(prefix = "d"): string {
  return `${prefix}-${newClientMsgId().slice(0, 16)}`;
}
