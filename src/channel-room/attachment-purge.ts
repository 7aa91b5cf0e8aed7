import { attachmentKey } from "../attachments/keys";
import { dropAttachments, expiredAttachments, nextAttachmentExpiry } from "./attachments";
import { readMeta, type RoomDb } from "./room-db";

const BATCH = 100;

/**
 * Deletes the files of expired rows (never-sent uploads, deleted messages'
 * files, failed uploads) from R2, then the rows: a row outlives its bytes,
 * never the other way round. Answers when to run again.
 */
export async function purgeExpiredAttachments(db: RoomDb, bucket: R2Bucket, now: number): Promise<number | null> {
  const meta = readMeta(db);
  if (!meta) return null;
  for (;;) {
    const rows = expiredAttachments(db, now, BATCH);
    if (rows.length === 0) break;
    await bucket.delete(rows.flatMap((r) => [attachmentKey(meta.channelId, r.id), attachmentKey(meta.channelId, r.id, "thumb")]));
    dropAttachments(db, rows.map((r) => r.id));
    if (rows.length < BATCH) break;
  }
  return nextAttachmentExpiry(db);
}
