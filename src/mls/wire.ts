import { decodeMlsMessage, type KeyPackage, type MLSMessage } from "ts-mls";
import { AppError } from "../errors";
import { parseMlsIdentity } from "../protocol";
import { CIPHERSUITE, fromBase64 } from "./bytes";

/** Decodes one whole MLSMessage, or 400: trailing bytes or a truncated message are refused alike. */
export function decodeMls(base64: string, what: string): MLSMessage {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(base64);
  } catch {
    throw new AppError("bad_request", `${what}: not base64`);
  }
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded[1] !== bytes.length) throw new AppError("bad_request", `${what}: not an MLS message`);
  return decoded[0];
}

/** The user and device a KeyPackage's basic credential names. */
export function keyPackageOwner(kp: KeyPackage): { userId: string; device: string } | undefined {
  const credential = kp.leafNode.credential;
  if (credential.credentialType !== "basic") return undefined;
  return parseMlsIdentity(new TextDecoder().decode(credential.identity));
}

/**
 * A KeyPackage a device publishes: of this service's ciphersuite, naming the
 * publishing user and device. The server vouches for that binding; clients
 * check it again when they add the device (validateCredential).
 */
export function checkKeyPackage(base64: string, userId: string, device: string): void {
  const m = decodeMls(base64, "keyPackage");
  if (m.wireformat !== "mls_key_package") throw new AppError("bad_request", "keyPackage: not a KeyPackage");
  if (m.keyPackage.cipherSuite !== CIPHERSUITE) throw new AppError("bad_request", `keyPackage: the ciphersuite must be ${CIPHERSUITE}`);
  const owner = keyPackageOwner(m.keyPackage);
  if (!owner || owner.userId !== userId || owner.device !== device) {
    throw new AppError("bad_request", "keyPackage: its credential must name your user id and this device");
  }
}
