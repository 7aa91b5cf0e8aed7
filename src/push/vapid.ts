import { toBase64Url } from "../accounts/encoding";
import { decodeKey, importP256PrivateKey, type VapidKeys } from "./keys";

/** RFC 8292 §2: exp must be at most 24 hours ahead; 12 leaves room for clock skew. */
const TOKEN_LIFETIME_S = 12 * 3600;

/** The `Authorization` header of RFC 8292 §3: `vapid t=<ES256 JWT>, k=<public key>`. */
export async function vapidAuthorization(endpoint: string, vapid: VapidKeys, nowMs = Date.now()): Promise<string> {
  const claims = {
    aud: new URL(endpoint).origin,
    exp: Math.floor(nowMs / 1000) + TOKEN_LIFETIME_S,
    sub: vapid.subject,
  };
  const token = await signJwt(claims, vapid);
  return `vapid t=${token}, k=${vapid.publicKey}`;
}

async function signJwt(claims: object, vapid: VapidKeys): Promise<string> {
  const key = await importP256PrivateKey(
    decodeKey(vapid.publicKey, 65, "VAPID public key"),
    decodeKey(vapid.privateKey, 32, "VAPID private key"),
    "ECDSA",
  );
  const encode = (value: object) => toBase64Url(new TextEncoder().encode(JSON.stringify(value)));
  const input = `${encode({ typ: "JWT", alg: "ES256" })}.${encode(claims)}`;
  // WebCrypto's ECDSA signature is already the raw r||s that JWS ES256 wants.
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, new TextEncoder().encode(input));
  return `${input}.${toBase64Url(signature)}`;
}
