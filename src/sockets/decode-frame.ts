import * as v from "valibot";
import { AppError } from "../errors";
import { badRequest } from "../http/validate";
import { MAX_FRAME_BYTES } from "../protocol";

/**
 * Turns raw socket data into a frame of `schema`, or an AppError naming why
 * not: too large, not text, not JSON, unknown type or invalid fields.
 * Never throws anything else.
 */
export function decodeFrame<S extends v.GenericSchema>(schema: S, data: string | ArrayBuffer): { frame: v.InferOutput<S> } | { error: AppError; clientMsgId?: string } {
  const size = typeof data === "string" ? utf8Length(data) : data.byteLength;
  if (size > MAX_FRAME_BYTES) return { error: new AppError("payload_too_large", `frames are limited to ${MAX_FRAME_BYTES} bytes`) };
  if (typeof data !== "string") return { error: new AppError("bad_request", "frames must be JSON text") };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { error: new AppError("bad_request", "frame is not valid JSON") };
  }
  const result = v.safeParse(schema, json);
  if (result.success) return { frame: result.output };
  const clientMsgId = typeof json === "object" && json !== null && "clientMsgId" in json && typeof json.clientMsgId === "string" ? json.clientMsgId.slice(0, 64) : undefined;
  const error = isObjectWithType(json) ? badRequest(result.issues) : new AppError("bad_request", "frame must be an object with a known type");
  return clientMsgId === undefined ? { error } : { error, clientMsgId };
}

function isObjectWithType(json: unknown): boolean {
  return typeof json === "object" && json !== null && !Array.isArray(json) && "type" in json && typeof json.type === "string";
}

/** Byte length without allocating; a string of n UTF-16 units is at most 3n bytes. */
function utf8Length(s: string): number {
  if (s.length * 3 <= MAX_FRAME_BYTES) return s.length;
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
