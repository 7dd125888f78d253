/** The SMS simulator's outbox, kept in the database so that all instances share it. */
import { desc } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { simulatedSms } from '../db/schema.ts';
import type { SimulatedSms, SmsOutbox } from '../providers/sms/simulator.ts';

export class DbSmsOutbox implements SmsOutbox {
  constructor(private readonly db: Db) {}

  async add(sms: Omit<SimulatedSms, 'id' | 'createdAt'>, now: Date): Promise<SimulatedSms> {
    const [row] = await this.db
      .insert(simulatedSms)
      .values({ ...sms, createdAt: now })
      .returning();
    if (!row) throw new Error('outbox insert returned nothing');
    return toSms(row);
  }

  async list(limit: number): Promise<SimulatedSms[]> {
    const rows = await this.db.select().from(simulatedSms).orderBy(desc(simulatedSms.seq)).limit(limit);
    return rows.map(toSms);
  }
}

function toSms({ seq: _seq, ...sms }: typeof simulatedSms.$inferSelect): SimulatedSms {
  return sms;
}
