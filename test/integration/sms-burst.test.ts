/**
 * Login codes under a burst: 200 applicants at once all get their code (none lost, none twice), and
 * a code asked for behind a backlog of hundreds of notices reaches the gateway before the backlog
 * has drained — it has a queue and a worker of its own. Arrivals are read from the SMS simulator's
 * outbox (in the database, so whichever instance delivered a message, it is there). How fast the
 * codes arrive is measured by `npm run bench` (bench/sms-burst.ts), not asserted here.
 */
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedSms } from '../../src/db/schema.ts';
import { randomPhone, startTestApp, type TestApp } from '../support/app.ts';
import { TestClient } from '../support/http.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

/** The outbox rows for `phones`, in arrival order. */
async function delivered(phones: string[]) {
  const rows = await t.certdesk.database.db.select().from(simulatedSms).where(inArray(simulatedSms.phone, phones));
  return rows.sort((a, b) => a.seq - b.seq);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

const CODE = /验证码为(\d{6})/;

describe('a burst of login codes', () => {
  it('delivers every one of 200 codes asked for at once, one code per phone', async () => {
    const phones = Array.from({ length: 200 }, randomPhone);
    const answers = await Promise.all(phones.map((phone) => new TestClient(t.url).post('/api/auth/sms-code', { phone })));
    expect(answers.map((a) => a.status)).toEqual(phones.map(() => 200));

    const rows = await until('200 codes at the simulator', async () => {
      const r = await delivered(phones);
      return r.length >= phones.length ? r : undefined;
    });
    // Every phone got its code. Delivery is at least once: a send retried after a timeout under
    // load may reach the gateway twice, and then it is the same message, never a second code.
    expect([...new Set(rows.map((r) => r.phone))].sort()).toEqual([...phones].sort());
    for (const phone of phones) expect(new Set(rows.filter((r) => r.phone === phone).map((r) => r.text)).size, phone).toBe(1);
    expect(rows.every((r) => CODE.test(r.text))).toBe(true);

    // They are the codes that were issued: a few of them log in.
    for (const row of rows.slice(0, 3)) {
      const login = await new TestClient(t.url).post('/api/auth/login', { phone: row.phone, code: CODE.exec(row.text)?.[1] });
      expect(login.status).toBe(200);
    }
  });

  it('sends a code asked for behind hundreds of notices before the notices are through', async () => {
    const noticePhone = randomPhone();
    const NOTICES = 500;
    await Promise.all(
      Array.from({ length: NOTICES }, (_, i) =>
        t.certdesk.sms.enqueue({
          phone: noticePhone,
          template: 'review_approved',
          params: { number: `CD2026${String(i).padStart(8, '0')}`, amount: '195.00' },
        }),
      ),
    );
    const phone = randomPhone();
    expect((await new TestClient(t.url).post('/api/auth/sms-code', { phone })).status).toBe(200);

    const noticesBeforeCode = await until('the code at the simulator', async () => {
      const rows = await delivered([phone, noticePhone]);
      const at = rows.findIndex((r) => r.phone === phone);
      return at === -1 ? undefined : at;
    });
    expect(noticesBeforeCode).toBeLessThan(NOTICES);

    // And the notices all go out too, each once.
    const notices = await until('every notice at the simulator', async () => {
      const rows = await delivered([noticePhone]);
      return rows.length >= NOTICES ? rows : undefined;
    });
    expect(new Set(notices.map((r) => r.text)).size).toBe(NOTICES);
  });
});
