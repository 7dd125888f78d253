/**
 * attachments: scans judged by their content (src/attachments/image.ts), stored through the blob
 * store, recorded per application. Replacing a scan keeps the old one, marked superseded.
 */
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { checkImage, ImageRejected } from '../../attachments/image.ts';
import type { Db } from '../../db/database.ts';
import { attachments } from '../../db/schema.ts';
import type { AttachmentKind } from '../../domain/attachments.ts';
import { AppError } from '../../domain/errors.ts';
import type { BlobStore } from '../../storage/blob-store.ts';

export type Attachment = typeof attachments.$inferSelect;
export type AttachmentService = ReturnType<typeof createAttachmentService>;

export function createAttachmentService(db: Db, blobs: BlobStore, log: Logger) {
  return {
    /** The current (not superseded) attachment of each kind. */
    async current(applicationId: string): Promise<Attachment[]> {
      return db
        .select()
        .from(attachments)
        .where(and(eq(attachments.applicationId, applicationId), isNull(attachments.supersededAt)))
        .orderBy(attachments.uploadedAt);
    },

    async store(applicationId: string, kind: AttachmentKind, input: Buffer, originalName: string, now: Date): Promise<Attachment> {
      let image;
      try {
        image = await checkImage(input, originalName);
      } catch (err) {
        if (err instanceof ImageRejected) throw new AppError(err.code, err.message, 422);
        throw err;
      }
      const month = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
      const blobKey = `attachments/${month}/${randomUUID()}.${image.extension}`;
      await blobs.put(blobKey, image.data, image.type);
      const row = await db.transaction(async (tx) => {
        await tx
          .update(attachments)
          .set({ supersededAt: now })
          .where(and(eq(attachments.applicationId, applicationId), eq(attachments.kind, kind), isNull(attachments.supersededAt)));
        const [inserted] = await tx
          .insert(attachments)
          .values({
            applicationId,
            kind,
            blobKey,
            contentType: image.type,
            sizeBytes: image.data.length,
            width: image.width,
            height: image.height,
            sha256: createHash('sha256').update(image.data).digest('hex'),
            originalName: originalName.slice(0, 200),
            uploadedAt: now,
          })
          .returning();
        return inserted;
      });
      if (!row) throw new Error('attachment insert returned nothing');
      log.info({ applicationId, kind, bytes: row.sizeBytes }, 'attachment stored');
      return row;
    },

    async content(applicationId: string, attachmentId: string) {
      const [row] = await db
        .select()
        .from(attachments)
        .where(and(eq(attachments.id, attachmentId), eq(attachments.applicationId, applicationId)));
      if (!row) throw new AppError('NOT_FOUND', '附件不存在', 404);
      const blob = await blobs.get(row.blobKey);
      if (!blob) throw new AppError('NOT_FOUND', '附件文件不存在', 404);
      return { ...blob, name: row.originalName };
    },
  };
}
