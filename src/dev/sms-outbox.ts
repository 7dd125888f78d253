/**
 * The SMS simulator's outbox, kept in the database so that all instances share it. Messages that
 * arrive while one insert is on its way are written together by the next (one statement for a
 * burst of login codes instead of one each: on the embedded database every statement waits for
 * all the others, the platform's own included); each `add` still resolves only once its row is in.
 */
import { randomUUID } from 'node:crypto';
import { desc } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { simulatedSms } from '../db/schema.ts';
import type { SimulatedSms, SmsOutbox } from '../providers/sms/simulator.ts';

type Row = typeof simulatedSms.$inferInsert & { id: string };

interface Waiting {
  row: Row;
  settle: (err?: unknown) => void;
}

export class DbSmsOutbox implements SmsOutbox {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(private readonly db: Db) {}

  add(sms: Omit<SimulatedSms, 'id' | 'createdAt'>, now: Date): Promise<SimulatedSms> {
    const stored: SimulatedSms = { ...sms, params: { ...sms.params }, id: randomUUID(), createdAt: new Date(now) };
    return new Promise((resolve, reject) => {
      this.waiting.push({ row: stored, settle: (err) => (err === undefined ? resolve(stored) : reject(err)) });
      // The first of a burst waits for the rest of this turn of the event loop; later ones ride
      // with the insert after the one in flight.
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.write());
      }
    });
  }

  private async write(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await this.db.insert(simulatedSms).values(batch.map((w) => w.row));
        for (const w of batch) w.settle();
      } catch (err) {
        for (const w of batch) w.settle(err);
      }
    }
    this.writing = false;
  }

  async list(limit: number): Promise<SimulatedSms[]> {
    const rows = await this.db.select().from(simulatedSms).orderBy(desc(simulatedSms.seq)).limit(limit);
    return rows.map(toSms);
  }
}

function toSms({ seq: _seq, ...sms }: typeof simulatedSms.$inferSelect): SimulatedSms {
  return sms;
}
