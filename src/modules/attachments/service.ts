/**
 * attachments: scans judged by their content (src/attachments/image.ts), stored through the blob
 * store, recorded per application. Replacing a scan keeps the old one, marked superseded.
 */
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { checkImage, ImageRejected } from '../../attachments/image.ts';
import type { Db, Tx } from '../../db/database.ts';
import { attachments } from '../../db/schema.ts';
import type { AttachmentKind } from '../../domain/attachments.ts';
import { AppError } from '../../domain/errors.ts';
import type { BlobStore } from '../../storage/blob-store.ts';

export type Attachment = typeof attachments.$inferSelect;
export type PreparedAttachment = Omit<typeof attachments.$inferInsert, 'id' | 'supersededAt'> & { uploadedAt: Date; kind: AttachmentKind };
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

    /**
     * Judges the scan and writes its bytes to the blob store (outside any transaction: it is CPU
     * work and I/O). Nothing is recorded yet: `record` does that inside the caller's transaction,
     * after the caller checked the application may still take it; `discard` removes the bytes when not.
     */
    async prepare(applicationId: string, kind: AttachmentKind, input: Buffer, originalName: string, now: Date): Promise<PreparedAttachment> {
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
      return {
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
      };
    },

    /** Records a prepared scan as the current one of its kind (the previous one superseded). */
    async record(tx: Tx, prepared: PreparedAttachment): Promise<Attachment> {
      await tx
        .update(attachments)
        .set({ supersededAt: prepared.uploadedAt })
        .where(and(eq(attachments.applicationId, prepared.applicationId), eq(attachments.kind, prepared.kind), isNull(attachments.supersededAt)));
      const [row] = await tx.insert(attachments).values(prepared).returning();
      if (!row) throw new Error('attachment insert returned nothing');
      log.info({ applicationId: prepared.applicationId, kind: prepared.kind, bytes: row.sizeBytes }, 'attachment stored');
      return row;
    },

    /** The bytes of a prepared scan that was not recorded. */
    async discard(prepared: PreparedAttachment): Promise<void> {
      await blobs.delete(prepared.blobKey).catch((err: unknown) => log.warn({ blobKey: prepared.blobKey, err: String(err) }, 'unrecorded scan not deleted'));
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
