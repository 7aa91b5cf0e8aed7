import { fromBase64Url } from "../accounts/encoding";
import { AppError } from "../errors";
import type { PushKeys } from "./encrypt";

/**
 * Checks a subscription's keys as encryption will use them, at subscribe
 * time: `p256dh` must import as a P-256 point and `auth` be 16 bytes, so a
 * bad key is a 400 now rather than a push that can never be encrypted.
 */
export async function checkPushKeys(keys: PushKeys): Promise<void> {
  const point = Uint8Array.from(fromBase64Url(keys.p256dh));
  if (point.length !== 65 || point[0] !== 0x04) throw new AppError("bad_request", "p256dh must be an uncompressed P-256 point (65 bytes)");
  try {
    await crypto.subtle.importKey("raw", point, { name: "ECDH", namedCurve: "P-256" }, false, []);
  } catch {
    throw new AppError("bad_request", "p256dh is not a point on the P-256 curve");
  }
  if (fromBase64Url(keys.auth).length !== 16) throw new AppError("bad_request", "auth must be a 16-byte secret");
}
