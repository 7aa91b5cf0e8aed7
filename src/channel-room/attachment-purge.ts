import { attachmentKey } from "../attachments/keys";
import { dropAttachments, expiredAttachments, nextAttachmentExpiry } from "./attachments";
import { readMeta, type RoomDb } from "./room-db";

const BATCH = 100;

/** Tells an uploader's hub that these files of theirs are gone (the per-user quota). */
export type ReleaseStorage = (uploaderId: string, channelId: string, attachmentIds: string[]) => Promise<void>;

/**
 * Deletes the files of expired rows (never-sent uploads, deleted messages'
 * files, failed uploads) from R2, releases them in their uploaders' hubs,
 * then drops the rows: a row outlives its bytes and its booking, never the
 * other way round (a failure leaves the rows for the next alarm). Answers
 * when to run again.
 */
export async function purgeExpiredAttachments(db: RoomDb, bucket: R2Bucket, release: ReleaseStorage, now: number): Promise<number | null> {
  const meta = readMeta(db);
  if (!meta) return null;
  for (;;) {
    const rows = expiredAttachments(db, now, BATCH);
    if (rows.length === 0) break;
    await bucket.delete(rows.flatMap((r) => [attachmentKey(meta.channelId, r.id), attachmentKey(meta.channelId, r.id, "thumb")]));
    const byUploader = new Map<string, string[]>();
    for (const r of rows) byUploader.set(r.uploaderId, [...(byUploader.get(r.uploaderId) ?? []), r.id]);
    await Promise.all([...byUploader].map(([uploaderId, ids]) => release(uploaderId, meta.channelId, ids)));
    dropAttachments(db, rows.map((r) => r.id));
    if (rows.length < BATCH) break;
  }
  return nextAttachmentExpiry(db);
}
