/**
 * Production and shipping over HTTP: the 制证员 starts production (已支付 → 制证中), posts with a
 * courier and waybill number (→ 已邮寄, SMS at /dev/sms) or calls the applicant in (→ 待自取, SMS with
 * the address); the applicant confirms receipt, the counter hands over, or the order completes by
 * itself after AUTO_COMPLETE_DAYS. Only producers act; only the owner confirms.
 * (test/integration/production.test.ts is the production-configuration suite, not this one.)
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as apps from '../../src/modules/applications/repository.ts';
import { recordsOf } from '../../src/modules/audit/records.ts';
import { createCatalogueService } from '../../src/modules/catalogue/service.ts';
import { AUTO_COMPLETE_QUEUE } from '../../src/modules/production/auto-complete.ts';
import { createProductionService } from '../../src/modules/production/service.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { loggedInApplicant } from '../support/applicant.ts';
import type { ErrorBody, TestClient } from '../support/http.ts';
import { certificateAndSeal, issueSoftwareCertificate, producerClient } from '../support/production.ts';
import { paidApplication } from '../support/scenario.ts';
import { loggedInStaff } from '../support/staff.ts';

const DAY = 86_400;
// Starts in the past, so that the days moved forward for auto-completion stay before the real
// now: other suites' orders on a shared PostgreSQL are never old enough to be completed here.
const clock = movableClock(new Date(Date.now() - 60 * DAY * 1000));
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
});
afterAll(async () => {
  await t?.close();
});

/** The newest SMS to `phone` at /dev/sms whose text contains `marker`, waiting for the job queue. */
async function smsFor(phone: string, marker: string): Promise<string> {
  for (let i = 0; i < 75; i++) {
    const html = await (await fetch(`${t.url}/dev/sms`)).text();
    const row = [...html.matchAll(/<tr data-phone="(\d+)">[\s\S]*?<td>([^<]*)<\/td><\/tr>/g)].find((m) => m[1] === phone && m[2]!.includes(marker));
    if (row) return row[2]!;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SMS with ${marker} for ${phone}`);
}

async function staffWith(role: 'reviewer' | 'finance') {
  return loggedInStaff(t, clock, [role]);
}

interface QueueBody {
  items: { id: string; number: string; statusLabel: string; deliveryLabel: string; shipment: { trackingNumber: string | null } | null }[];
}

const statusOf = async (id: string) => (await apps.findById(t.certdesk.database.db, id))?.status;

describe('制证与邮寄', () => {
  it('starts, ships with a waybill number (SMS to the applicant), and the applicant confirms receipt', async () => {
    const { applicant, id, number } = await paidApplication(t, clock);
    const producer = await producerClient(t, clock);

    const queue = await producer.get<QueueBody>(`/api/production/queue?status=paid&q=${number}`);
    expect(queue.status).toBe(200);
    expect(queue.body.items.find((i) => i.id === id)).toMatchObject({ number, statusLabel: '已支付', deliveryLabel: '邮寄（EMS）' });
    const detail = await producer.get<{ organisation: { uscc: string }; amount: string; delivery: { method: string } }>(`/api/production/applications/${id}`);
    expect(detail.body).toMatchObject({ amount: '195.00', delivery: { method: 'post' } });

    const early = await producer.post<ErrorBody>(`/api/production/applications/${id}/ship`, { courier: 'EMS', trackingNumber: 'EA123456789CN' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe('当前状态为“已支付”，不能邮寄');

    const started = await producer.post<{ statusLabel: string }>(`/api/production/applications/${id}/start`);
    expect(started.body.statusLabel).toBe('制证中');
    const again = await producer.post<ErrorBody>(`/api/production/applications/${id}/start`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('当前状态为“制证中”，不能开始制证');
    const uncertified = await producer.post<ErrorBody>(`/api/production/applications/${id}/ship`, { courier: 'EMS', trackingNumber: 'EA123456789CN' });
    expect(uncertified.status).toBe(409);
    expect(uncertified.body.error.message).toBe('该申请尚未签发有效证书，请先签发证书');
    await issueSoftwareCertificate(producer, id);
    // Certificate and seal go out together: not before the applicant approved the picture and the seal is made.
    const sealless = await producer.post<ErrorBody>(`/api/production/applications/${id}/ship`, { courier: 'EMS', trackingNumber: 'EA123456789CN' });
    expect(sealless.status).toBe(409);
    expect(sealless.body.error.message).toBe('电子印章尚未制作，请先制作电子印章，再邮寄或通知自取');
    const unapproved = await producer.post<ErrorBody>(`/api/production/applications/${id}/seal`);
    expect(unapproved.status).toBe(409);
    expect(unapproved.body.error.message).toBe('等待申请人确认印章：申请人确认电子印章图样后才能制作印章');
    expect((await applicant.post(`/api/applications/${id}/seal/approve`)).status).toBe(200);
    expect((await producer.post(`/api/production/applications/${id}/seal`)).status).toBe(200);

    const badNumber = await producer.post<ErrorBody>(`/api/production/applications/${id}/ship`, { courier: 'EMS', trackingNumber: 'SF1234567890123' });
    expect(badNumber.status).toBe(400);
    expect(badNumber.body.error.message).toBe('EMS运单号格式不正确，应为EA123456789CN 或 13 位数字');
    const shipped = await producer.post<{ statusLabel: string }>(`/api/production/applications/${id}/ship`, { courier: 'EMS', trackingNumber: 'ea123456789cn' });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    expect(shipped.body.statusLabel).toBe('已邮寄');
    expect(await smsFor(applicant.phone!, 'EA123456789CN')).toBe(
      `【CertDesk】您的证书及电子印章（申请单号${number}）已邮寄，快递公司EMS，运单号EA123456789CN，请注意查收。收到后请登录数字证书在线受理平台点击“确认收货”。`,
    );
    const shippedQueue = await producer.get<QueueBody>(`/api/production/queue?status=shipped&q=${number}`);
    expect(shippedQueue.body.items[0]?.shipment?.trackingNumber).toBe('EA123456789CN');

    const seen = await applicant.get<{ shipment: { courierLabel: string; trackingNumber: string } }>(`/api/applications/${id}/shipment`);
    expect(seen.body.shipment).toMatchObject({ courierLabel: 'EMS', trackingNumber: 'EA123456789CN' });
    const list = await applicant.get<{ items: { id: string; statusLabel: string }[] }>('/api/applications');
    expect(list.body.items.find((i) => i.id === id)?.statusLabel).toBe('已邮寄');

    const stranger = await loggedInApplicant(t);
    expect((await stranger.post(`/api/applications/${id}/confirm-receipt`)).status).toBe(404);
    expect((await stranger.get(`/api/applications/${id}/shipment`)).status).toBe(404);

    const confirmed = await applicant.post<{ statusLabel: string }>(`/api/applications/${id}/confirm-receipt`);
    expect(confirmed.body.statusLabel).toBe('已完成');
    const twice = await applicant.post<ErrorBody>(`/api/applications/${id}/confirm-receipt`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe('当前状态为“已完成”，不能确认收货');

    const timeline = await applicant.get<{ entries: { title: string; statusLabel: string | null; detail: string | null }[] }>(`/api/applications/${id}/timeline`);
    expect(timeline.body.entries.map((e) => e.statusLabel).slice(-3)).toEqual(['制证中', '已邮寄', '已完成']);
    expect(timeline.body.entries.find((e) => e.statusLabel === '已邮寄')?.detail).toBe('EMS 运单号 EA123456789CN');
  });

  it('calls the applicant in (待自取, SMS with the address) and hands over at the counter', async () => {
    const { applicant, id, number } = await paidApplication(t, clock, { delivery: { method: 'pickup' } });
    const producer = await producerClient(t, clock);
    await producer.post(`/api/production/applications/${id}/start`);
    await certificateAndSeal(producer, applicant, id);
    const post = await producer.post<ErrorBody>(`/api/production/applications/${id}/ship`, { courier: 'SF', trackingNumber: 'SF123456789012' });
    expect(post.status).toBe(409);
    expect(post.body.error.message).toBe('申请人选择的领取方式为自取，没有邮寄地址，不能邮寄');
    const early = await producer.post<ErrorBody>(`/api/production/applications/${id}/handover`);
    expect(early.status).toBe(409);

    const ready = await producer.post<{ statusLabel: string }>(`/api/production/applications/${id}/pickup`, {});
    expect(ready.body.statusLabel).toBe('待自取');
    expect(await smsFor(applicant.phone!, `申请单号${number}）已制作完成`)).toContain(t.config.pickupAddress);
    const seen = await applicant.get<{ shipment: { pickupAddress: string } }>(`/api/applications/${id}/shipment`);
    expect(seen.body.shipment.pickupAddress).toBe(t.config.pickupAddress);

    const handed = await producer.post<{ statusLabel: string }>(`/api/production/applications/${id}/handover`);
    expect(handed.body.statusLabel).toBe('已完成');
  });

  it('turns a 邮寄 order into 自取 only with a reason', async () => {
    const { applicant, id } = await paidApplication(t, clock);
    const producer = await producerClient(t, clock);
    await producer.post(`/api/production/applications/${id}/start`);
    await certificateAndSeal(producer, applicant, id);
    const bare = await producer.post<ErrorBody>(`/api/production/applications/${id}/pickup`, {});
    expect(bare.status).toBe(409);
    expect(bare.body.error.message).toBe('申请人选择的领取方式为邮寄，改为自取须填写原因（如申请人来电要求）');
    const ok = await producer.post<{ statusLabel: string }>(`/api/production/applications/${id}/pickup`, { reason: '申请人来电要求自取' });
    expect(ok.body.statusLabel).toBe('待自取');
  });

  it('lets only producers act, and no applicant into /api/production', async () => {
    const { applicant, id } = await paidApplication(t, clock);
    for (const role of ['reviewer', 'finance'] as const) {
      const staff = await staffWith(role);
      const refused = await staff.post<ErrorBody>(`/api/production/applications/${id}/start`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe('无权执行此操作');
      expect((await staff.post(`/api/production/applications/${id}/ship`, { courier: 'EMS', trackingNumber: 'EA123456789CN' })).status).toBe(403);
      expect((await staff.get('/api/production/queue')).status).toBe(403);
    }
    expect((await applicant.get('/api/production/queue')).status).toBe(401);
    expect((await applicant.post(`/api/production/applications/${id}/start`)).status).toBe(401);
    expect((await applicant.get(`/api/production/applications/${id}`)).status).toBe(401);
    // Not yet delivered: the applicant cannot skip to 已完成.
    const early = await applicant.post<ErrorBody>(`/api/applications/${id}/confirm-receipt`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe('当前状态为“已支付”，不能确认收货');
    expect(await statusOf(id)).toBe('paid');
  });

  it('completes orders delivered more than AUTO_COMPLETE_DAYS ago by itself, once, and no others', async () => {
    const old = await paidApplication(t, clock);
    const recent = await paidApplication(t, clock, { applicant: old.applicant });
    let producer: TestClient = await producerClient(t, clock);
    await producer.post(`/api/production/applications/${old.id}/start`);
    await producer.post(`/api/production/applications/${recent.id}/start`);
    await certificateAndSeal(producer, old.applicant, old.id);
    await certificateAndSeal(producer, recent.applicant, recent.id);
    expect((await producer.post(`/api/production/applications/${old.id}/ship`, { courier: 'SF', trackingNumber: 'SF123456789012' })).status).toBe(200);

    clock.advance(10 * DAY);
    producer = await producerClient(t, clock);
    expect((await producer.post(`/api/production/applications/${recent.id}/ship`, { courier: 'SF', trackingNumber: '123456789012' })).status).toBe(200);
    clock.advance(6 * DAY);

    // The job's work, with the app's (moved) clock: what the hourly schedule runs.
    const production = createProductionService({
      db: t.certdesk.database.db,
      clock: clock.now,
      log: pino({ level: 'silent' }),
      catalogue: createCatalogueService(t.certdesk.database.db),
      notices: { send: async () => undefined },
      handOverProblem: async () => undefined,
      pickupAddress: t.config.pickupAddress,
      autoCompleteDays: t.config.autoCompleteDays,
    });
    expect(t.config.autoCompleteDays).toBe(15);
    await production.autoComplete();
    expect(await statusOf(old.id)).toBe('completed');
    expect(await statusOf(recent.id)).toBe('shipped');
    const records = await recordsOf(t.certdesk.database.db, 'application', old.id);
    const receipts = records.filter((r) => r.action === 'application.confirm_receipt');
    expect(receipts).toEqual([expect.objectContaining({ actorKind: 'system', actorId: 'auto-complete' })]);

    await production.autoComplete();
    expect((await recordsOf(t.certdesk.database.db, 'application', old.id)).filter((r) => r.action === 'application.confirm_receipt')).toHaveLength(1);

    const schedules = await t.certdesk.database.executeSql('SELECT cron FROM pgboss.schedule WHERE name = $1', [AUTO_COMPLETE_QUEUE]);
    expect(schedules.rows).toEqual([{ cron: '7 * * * *' }]);
  });
});
