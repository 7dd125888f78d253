/** The mail simulator's outbox, kept in the database so that all instances and restarts share it. */
import { arrayContains, desc, eq, lte } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { devMailOutbox } from '../db/schema.ts';
import { isUuid } from '../db/uuid.ts';
import type { MailOutbox, ReceivedMailSummary, StoredMail } from '../providers/mail/simulator.ts';

/** Mails kept: a demo running for months must not fill the disk with PDFs. */
const DEFAULT_CAPACITY = 1000;

const summaryColumns = {
  id: devMailOutbox.id,
  receivedAt: devMailOutbox.receivedAt,
  envelopeFrom: devMailOutbox.envelopeFrom,
  envelopeTo: devMailOutbox.envelopeTo,
  from: devMailOutbox.fromHeader,
  to: devMailOutbox.toHeader,
  subject: devMailOutbox.subject,
  messageId: devMailOutbox.messageId,
  secured: devMailOutbox.secured,
  attachments: devMailOutbox.attachments,
};

export class DbMailOutbox implements MailOutbox {
  constructor(
    private readonly db: Db,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  async add(mail: Omit<StoredMail, 'id' | 'receivedAt'>, now: Date): Promise<StoredMail> {
    const [row] = await this.db
      .insert(devMailOutbox)
      .values({
        envelopeFrom: mail.envelopeFrom,
        envelopeTo: mail.envelopeTo,
        fromHeader: mail.from,
        toHeader: mail.to,
        subject: mail.subject,
        messageId: mail.messageId,
        secured: mail.secured,
        textBody: mail.text,
        htmlBody: mail.html ?? null,
        attachments: mail.attachments,
        raw: mail.raw,
        receivedAt: now,
      })
      .returning({ id: devMailOutbox.id, seq: devMailOutbox.seq });
    if (!row) throw new Error('mail outbox insert returned nothing');
    // Everything older than the newest `capacity` mails goes.
    await this.db.delete(devMailOutbox).where(lte(devMailOutbox.seq, row.seq - this.capacity));
    return { ...mail, id: row.id, receivedAt: now };
  }

  async list(limit: number, filter: { to?: string } = {}): Promise<ReceivedMailSummary[]> {
    const query = this.db.select(summaryColumns).from(devMailOutbox);
    const rows = await (filter.to === undefined ? query : query.where(arrayContains(devMailOutbox.envelopeTo, [filter.to])))
      .orderBy(desc(devMailOutbox.seq))
      .limit(limit);
    return rows;
  }

  async get(id: string): Promise<StoredMail | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.select().from(devMailOutbox).where(eq(devMailOutbox.id, id));
    if (!row) return undefined;
    return {
      id: row.id,
      receivedAt: row.receivedAt,
      envelopeFrom: row.envelopeFrom,
      envelopeTo: row.envelopeTo,
      from: row.fromHeader,
      to: row.toHeader,
      subject: row.subject,
      messageId: row.messageId,
      secured: row.secured,
      attachments: row.attachments,
      text: row.textBody,
      html: row.htmlBody ?? undefined,
      raw: Buffer.from(row.raw),
    };
  }
}
