import { and, asc, eq, isNotNull, isNull, lte, min, sql } from "drizzle-orm";
import { AppError } from "../errors";
import { UNSENT_ATTACHMENT_TTL_MS, type Attachment, type NewUpload, type StoredInfo, type UploadedAttachment } from "../protocol";
import type { UrlSigner } from "../attachments/signed-url";
import { requireMember, requireMeta, type RoomDb } from "./room-db";
import { attachments } from "./schema";
import { inList } from "./seq-list";

export type AttachmentRow = typeof attachments.$inferSelect;

/** Books an upload before its bytes go to R2, so the quota holds even for uploads in flight. */
export function reserveUpload(db: RoomDb, userId: string, upload: NewUpload, quotaBytes: number, now: number): void {
  requireMember(db, userId);
  // The server must not learn what an encrypted channel's files are: a client that says so is refused, not trusted.
  if (requireMeta(db).encrypted && upload.type !== "application/octet-stream") {
    throw new AppError("bad_request", "in an end-to-end encrypted channel files are encrypted: upload them as application/octet-stream");
  }
  const used = db.select({ n: sql<number>`coalesce(sum(${attachments.size}), 0)` }).from(attachments).where(eq(attachments.uploaderId, userId)).get()?.n ?? 0;
  if (used + upload.size > quotaBytes) {
    throw new AppError("quota_exceeded", `attachments of one user in one channel are limited to ${quotaBytes} bytes (${used} bytes in use)`);
  }
  db.insert(attachments).values({ ...upload, uploaderId: userId, createdAt: now, expiresAt: now + UNSENT_ATTACHMENT_TTL_MS }).run();
}

/** The caller's own upload, not yet sent nor given up, or 404. */
export function ownUnsent(db: RoomDb, userId: string, id: string, now: number): AttachmentRow {
  requireMember(db, userId);
  const row = db.select().from(attachments).where(eq(attachments.id, id)).get();
  if (!row || row.uploaderId !== userId || row.seq !== null || row.expiresAt === null || row.expiresAt <= now) {
    throw new AppError("not_found", "no such attachment");
  }
  return row;
}

/** Every byte is in R2: the upload may now be sent. */
export function completeUpload(db: RoomDb, userId: string, id: string, info: StoredInfo, now: number): UploadedAttachment {
  const row = ownUnsent(db, userId, id, now);
  db.update(attachments)
    .set({ stored: true, width: info.width ?? null, height: info.height ?? null, thumbType: info.thumbType ?? null, placeholder: info.placeholder ?? null })
    .where(eq(attachments.id, id))
    .run();
  return uploaded({ ...row, width: info.width ?? null, height: info.height ?? null });
}

export function setThumbnail(db: RoomDb, userId: string, id: string, thumbType: string, placeholder: string | null, now: number): void {
  const row = ownUnsent(db, userId, id, now);
  if (!row.stored) throw new AppError("not_found", "no such attachment");
  db.update(attachments).set({ thumbType, placeholder }).where(eq(attachments.id, id)).run();
}

/** A failed upload: purged at the next alarm (whatever reached R2 with it). */
export function abandonUpload(db: RoomDb, userId: string, id: string, now: number): void {
  db.update(attachments)
    .set({ expiresAt: now })
    .where(and(eq(attachments.id, id), eq(attachments.uploaderId, userId), isNull(attachments.seq)))
    .run();
}

/** Ties the sender's finished, unsent uploads to message `seq`, in the order given. Call in the send's transaction. */
export function claimAttachments(db: RoomDb, userId: string, ids: string[], seq: number, now: number): void {
  ids.forEach((id, position) => {
    const row = db.select().from(attachments).where(eq(attachments.id, id)).get();
    if (!row || row.uploaderId !== userId || row.seq !== null || !row.stored || row.expiresAt === null || row.expiresAt <= now) {
      throw new AppError("bad_request", `attachment ${id} is not an upload of yours waiting to be sent`);
    }
    db.update(attachments).set({ seq, position, expiresAt: null }).where(eq(attachments.id, id)).run();
  });
}

/** A deleted message's files go at the next alarm; from now on no message shows them. */
export function releaseAttachments(db: RoomDb, seq: number, now: number): boolean {
  return db.update(attachments).set({ expiresAt: now }).where(eq(attachments.seq, seq)).returning({ id: attachments.id }).all().length > 0;
}

export function expiredAttachments(db: RoomDb, now: number, limit: number): AttachmentRow[] {
  return db.select().from(attachments).where(lte(attachments.expiresAt, now)).orderBy(asc(attachments.expiresAt)).limit(limit).all();
}

export function dropAttachments(db: RoomDb, ids: string[]): void {
  if (ids.length > 0) db.delete(attachments).where(inList(attachments.id, ids)).run();
}

/** When the alarm next has files to purge, or null. */
export function nextAttachmentExpiry(db: RoomDb): number | null {
  return db.select({ at: min(attachments.expiresAt) }).from(attachments).where(isNotNull(attachments.expiresAt)).get()?.at ?? null;
}

function uploaded(row: Pick<AttachmentRow, "id" | "name" | "type" | "size" | "width" | "height">): UploadedAttachment {
  const a: UploadedAttachment = { id: row.id, name: row.name, type: row.type, size: row.size };
  if (row.width !== null) a.width = row.width;
  if (row.height !== null) a.height = row.height;
  return a;
}

/** Each room registers how its views sign URLs (the Worker's secret); views are built inside transactions, so signing is synchronous. */
const signers = new WeakMap<RoomDb, UrlSigner>();
export function useUrlSigner(db: RoomDb, signer: UrlSigner): void {
  signers.set(db, signer);
}

/** Per message seq, its live attachments in order, with signed URLs. */
export function attachmentsOf(db: RoomDb, channelId: string, seqs: number[], now = Date.now()): Map<number, Attachment[]> {
  const out = new Map<number, Attachment[]>();
  const rows = db
    .select()
    .from(attachments)
    .where(and(inList(attachments.seq, seqs), isNull(attachments.expiresAt)))
    .orderBy(asc(attachments.seq), asc(attachments.position))
    .all();
  if (rows.length === 0) return out;
  const signer = signers.get(db);
  if (!signer) throw new Error("no URL signer registered for this room");
  for (const row of rows) {
    const a: Attachment = { ...uploaded(row), url: signer.url(channelId, row.id, "file", now) };
    if (row.thumbType !== null) a.thumbnailUrl = signer.url(channelId, row.id, "thumb", now);
    if (row.placeholder !== null) a.placeholder = row.placeholder;
    out.set(row.seq!, [...(out.get(row.seq!) ?? []), a]);
  }
  return out;
}
