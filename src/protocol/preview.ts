import { isImageType } from "./attachments";
import type { Attachment } from "./attachments";

/**
 * What a notification or inbox line says about a message: its text, or what
 * it carries when it has none ("Photo", "3 photos", "File: a.pdf", "2 files").
 */
export function messagePreview(m: { body: string; attachments?: Pick<Attachment, "name" | "type">[] }): string {
  const files = m.attachments ?? [];
  if (m.body.trim().length > 0 || files.length === 0) return m.body;
  const photos = files.filter((f) => isImageType(f.type)).length;
  if (photos === files.length) return photos === 1 ? "Photo" : `${photos} photos`;
  return files.length === 1 ? `File: ${files[0]!.name}` : `${files.length} files`;
}
