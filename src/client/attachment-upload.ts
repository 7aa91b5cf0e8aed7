import * as v from "valibot";
import { THUMBNAIL_TYPES, UploadResponse, type UploadedAttachment } from "../protocol";
import { ApiError } from "./api-error";
import { SEALED_TYPE } from "./e2ee/file-crypto";

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface AttachmentUploadOptions {
  /** Origin of the service; "" means the page's own. */
  baseUrl: string;
  token: string;
  channelId: string;
  file: Blob;
  name: string;
  /** Defaults to the Blob's own type, else application/octet-stream. */
  type?: string;
  /** A client-made thumbnail (JPEG, PNG or WebP within 320 px): sent after the file, so the Worker makes none. */
  thumbnail?: Blob;
  onProgress?: (p: UploadProgress) => void;
  /** Aborting cancels the upload; the promise rejects with an AbortError. */
  signal?: AbortSignal;
}

interface RawAnswer {
  status: number;
  text: string;
}

/**
 * Uploads one attachment (docs/protocol.md, Attachments) and, if given, its
 * thumbnail. XMLHttpRequest where there is one, because only it reports
 * upload progress; fetch elsewhere (Node, workers), with progress at the end.
 */
export async function uploadAttachment(o: AttachmentUploadOptions): Promise<UploadedAttachment> {
  const base = o.baseUrl.replace(/\/+$/, "");
  const query = new URLSearchParams({ name: o.name });
  if (o.thumbnail) query.set("thumbnail", "client");
  const type = o.type || o.file.type || "application/octet-stream";
  const url = `${base}/api/channels/${encodeURIComponent(o.channelId)}/attachments?${query}`;
  const answer = await send("POST", url, o.token, o.file, type, o.signal, o.onProgress);
  const { attachment } = v.parse(UploadResponse, json(answer, 201));
  if (o.thumbnail) {
    // An encrypted channel's thumbnail is ciphertext, sent as such.
    const thumbType = ([...THUMBNAIL_TYPES, SEALED_TYPE] as string[]).includes(o.thumbnail.type) ? o.thumbnail.type : "image/jpeg";
    const thumbUrl = `${base}/api/channels/${encodeURIComponent(o.channelId)}/attachments/${attachment.id}/thumbnail`;
    json(await send("PUT", thumbUrl, o.token, o.thumbnail, thumbType, o.signal), 204);
  }
  return attachment;
}

function json(answer: RawAnswer, expected: number): unknown {
  const body = answer.text ? (JSON.parse(answer.text) as unknown) : null;
  if (answer.status === expected) return body;
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  throw new ApiError(answer.status, error?.code ?? "internal", error?.message ?? `upload failed with ${answer.status}`);
}

function abortError(): Error {
  return new DOMException("upload cancelled", "AbortError");
}

function send(method: string, url: string, token: string, body: Blob, type: string, signal?: AbortSignal, onProgress?: (p: UploadProgress) => void): Promise<RawAnswer> {
  if (signal?.aborted) return Promise.reject(abortError());
  if (typeof XMLHttpRequest === "undefined") {
    return fetch(url, { method, body, signal, headers: { Authorization: `Bearer ${token}`, "Content-Type": type } }).then(async (res) => {
      onProgress?.({ loaded: body.size, total: body.size });
      return { status: res.status, text: await res.text() };
    });
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", type);
    xhr.upload.onprogress = (e) => onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : body.size });
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => reject(new ApiError(0, "network", "the upload failed: network error"));
    xhr.onabort = () => reject(abortError());
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
