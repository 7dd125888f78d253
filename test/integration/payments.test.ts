/**
 * 支付 over HTTP against a real app and database, with the WeChat Pay simulator speaking API v3 to
 * the real adapter: 银行汇款 (remittance code, voucher, 财务 confirms or rejects, statement import)
 * and 微信支付 (QR order, signed + encrypted notify, forged / replayed / tampered / concurrent
 * notifies, a lost notify settled by query, an expired QR, a second payment refunded, cancel → 已退款).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.ts';
import { movableClock, startTestApp, testConfig, type TestApp } from '../support/app.ts';
import { loggedInApplicant } from '../support/applicant.ts';
import { approvedApplication } from '../support/scenario.ts';
import type { ErrorBody, TestClient } from '../support/http.ts';
import { jpegScan, pdfDocument } from '../support/images.ts';
import { waitForSms } from '../support/sms.ts';
import { loggedInStaff } from '../support/staff.ts';

const clock = movableClock();
let t: TestApp;
beforeAll(async () => {
  // QR codes expire after 10 minutes here, so that the test can outwait one within a session.
  const payments = { ...testConfig().payments, orderTtlMinutes: 10 };
  t = await startTestApp({ clock: clock.now, config: { payments }, wechatPaySimulatorTiming: { notifyRetryDelaysMs: [100, 200], refundDelayMs: 100 } });
});
afterAll(async () => {
  await t?.close();
});

const sim = () => {
  const c = t.certdesk.wechatPaySimulator;
  if (!c) throw new Error('the WeChat Pay simulator is not running');
  return c;
};

async function staff(role: 'finance' | 'reviewer') {
  return loggedInStaff(t, clock, [role]);
}

interface Order {
  payment: { outTradeNo: string; amount: string; status: string };
  codeUrl: string;
  qrDataUrl: string | null;
  payPageUrl: string | null;
}
interface WechatStatus {
  statusLabel: string;
  paid: boolean;
}

async function appStatus(client: TestClient, id: string): Promise<string> {
  return (await client.get<{ statusLabel: string }>(`/api/applications/${id}`)).body.statusLabel;
}

async function actions(applicationId: string): Promise<string[]> {
  const rows = await t.certdesk.database.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(eq(auditLog.entityId, applicationId))
    .orderBy(auditLog.id);
  return rows.map((r) => r.action);
}

describe('银行汇款', () => {
  it('shows the account, amount and remittance code; a rejected voucher returns to 支付; a confirmed one is 已支付', async () => {
    const applicant = await loggedInApplicant(t);
    const { id, number } = await approvedApplication(t, clock, applicant);

    const chosen = await applicant.post<{ bank: { accountNumber: string; remittanceCode: string }; payment: { amount: string } }>(
      `/api/applications/${id}/payment/bank`,
    );
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body.payment.amount).toBe('195.00');
    expect(chosen.body.bank.remittanceCode).toMatch(/^HK[0-9A-Z]{8}$/);
    // The same attempt keeps its code: a transfer already made with it still matches.
    const again = await applicant.post<{ bank: { remittanceCode: string } }>(`/api/applications/${id}/payment/bank`);
    expect(again.body.bank.remittanceCode).toBe(chosen.body.bank.remittanceCode);

    const notImage = await applicant.upload<ErrorBody>(`/api/applications/${id}/payment/bank/voucher`, pdfDocument(), 'voucher.jpg', 'image/jpeg', { note: '已汇款' });
    expect(notImage.status).toBe(422);
    expect(await appStatus(applicant, id)).toBe('资料审核通过');

    const sent = await applicant.upload<{ statusLabel: string }>(
      `/api/applications/${id}/payment/bank/voucher`,
      await jpegScan('voucher'),
      'voucher.jpg',
      'image/jpeg',
      { note: `工行汇款，附言 ${chosen.body.bank.remittanceCode}` },
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.statusLabel).toBe('待确认到账');

    const reviewer = await staff('reviewer');
    expect((await reviewer.get('/api/finance/queue')).status).toBe(403);
    expect((await applicant.get('/api/finance/queue')).status).toBe(401);

    const finance = await staff('finance');
    const queue = await finance.get<{ items: { id: string; number: string; remittanceCode: string }[] }>('/api/finance/queue');
    const item = queue.body.items.find((i) => i.number === number);
    expect(item?.remittanceCode).toBe(chosen.body.bank.remittanceCode);
    expect((await finance.get(`/api/finance/payments/${item!.id}/voucher`)).status).toBe(200);
    // A reviewer cannot confirm money.
    expect((await reviewer.post(`/api/finance/payments/${item!.id}/confirm`)).status).toBe(403);

    const rejected = await finance.post<{ statusLabel: string }>(`/api/finance/payments/${item!.id}/reject`, { reason: '未查到该笔汇款' });
    expect(rejected.body.statusLabel).toBe('资料审核通过');
    expect(await waitForSms(t.url, applicant.phone!, '汇款未能确认')).toBe(
      `【CertDesk】您的证书及电子印章申请（申请单号${number}）汇款未能确认：未查到该笔汇款。请登录数字证书在线受理平台，点击“支付”重新提交。`,
    );

    const retry = await applicant.post<{ bank: { remittanceCode: string } }>(`/api/applications/${id}/payment/bank`);
    expect(retry.body.bank.remittanceCode).not.toBe(chosen.body.bank.remittanceCode);
    await applicant.upload(`/api/applications/${id}/payment/bank/voucher`, await jpegScan('voucher2'), 'v.png', 'image/jpeg', { note: '' });
    const second = (await finance.get<{ items: { id: string; number: string }[] }>('/api/finance/queue')).body.items.find((i) => i.number === number)!;
    const confirmed = await finance.post<{ statusLabel: string }>(`/api/finance/payments/${second.id}/confirm`);
    expect(confirmed.body.statusLabel).toBe('已支付');
    const twice = await finance.post<ErrorBody>(`/api/finance/payments/${second.id}/confirm`);
    expect(twice.status).toBe(409);
    expect(await actions(id)).toEqual(expect.arrayContaining(['application.submit_voucher', 'application.reject_payment', 'application.confirm_payment']));
  });

  it('matches a bank statement by remittance code and exact amount, leaving the rest', async () => {
    const applicant = await loggedInApplicant(t);
    const { id, number } = await approvedApplication(t, clock, applicant);
    const { body } = await applicant.post<{ bank: { remittanceCode: string } }>(`/api/applications/${id}/payment/bank`);
    await applicant.upload(`/api/applications/${id}/payment/bank/voucher`, await jpegScan('v'), 'v.jpg', 'image/jpeg', { note: '' });
    const csv = [
      '交易日期,对方户名,贷方金额,摘要',
      `2026-11-25,内蒙古某某有限公司,195.00,证书费 ${body.bank.remittanceCode.toLowerCase()}`,
      '2026-11-25,某人,195.00,货款',
    ].join('\n');
    const finance = await staff('finance');
    const imported = await finance.upload<{ lines: { result: string; number: string | null }[] }>('/api/finance/statements', Buffer.from(csv), 'statement.csv', 'text/csv');
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.lines.map((l) => l.result)).toEqual(['matched', 'no_code']);
    expect(imported.body.lines[0]?.number).toBe(number);
    expect(await appStatus(applicant, id)).toBe('已支付');
  });
});

describe('微信支付', () => {
  it('shows a QR code, applies the signed notify once, and answers replays and concurrent notifies without a second change', async () => {
    const applicant = await loggedInApplicant(t);
    const { id } = await approvedApplication(t, clock, applicant);
    const order = await applicant.post<Order>(`/api/applications/${id}/payment/wechat`);
    expect(order.status, JSON.stringify(order.body)).toBe(200);
    expect(order.body.codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    expect(order.body.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(order.body.payment.amount).toBe('195.00');

    const delivery = await sim().pay(order.body.payment.outTradeNo);
    expect(delivery.delivered).toBe(true);
    expect(await appStatus(applicant, id)).toBe('已支付');
    const status = await applicant.get<WechatStatus>(`/api/applications/${id}/payment/wechat`);
    expect(status.body).toMatchObject({ paid: true, statusLabel: '已支付' });

    await Promise.all([sim().replay(delivery.id), sim().replay(delivery.id), sim().replay(delivery.id)]);
    expect((await actions(id)).filter((a) => a === 'application.pay_online')).toHaveLength(1);
    const refused = await applicant.post<ErrorBody>(`/api/applications/${id}/payment/wechat`);
    expect(refused.status).toBe(409);
  });

  it('refuses a forged notify and a tampered amount; the browser poll settles by query', async () => {
    const applicant = await loggedInApplicant(t);
    const { id } = await approvedApplication(t, clock, applicant);
    const order = await applicant.post<Order>(`/api/applications/${id}/payment/wechat`);
    sim().notifyFaults.failNext(1, { kind: 'foreign-key', amountFen: 1 });
    const forged = await sim().pay(order.body.payment.outTradeNo);
    expect(forged.outcomes).toEqual([401]);
    expect(await appStatus(applicant, id)).toBe('资料审核通过');
    expect(await actions(id)).not.toContain('application.pay_online');

    // No genuine notify came: the page's poll asks WeChat Pay, which says SUCCESS.
    const polled = await applicant.get<WechatStatus>(`/api/applications/${id}/payment/wechat`);
    expect(polled.body).toMatchObject({ paid: true, statusLabel: '已支付' });
  });

  it('closes an expired QR code and makes a new order on the next try', async () => {
    const applicant = await loggedInApplicant(t);
    const { id, number } = await approvedApplication(t, clock, applicant);
    const first = await applicant.post<Order>(`/api/applications/${id}/payment/wechat`);
    expect(first.body.payment.outTradeNo).toBe(`${number}W1`);
    clock.advance(11 * 60);
    const second = await applicant.post<Order>(`/api/applications/${id}/payment/wechat`);
    expect(second.body.payment.outTradeNo).toBe(`${number}W2`);
    await expect(sim().pay(first.body.payment.outTradeNo)).rejects.toThrow();
    await sim().pay(second.body.payment.outTradeNo);
    expect(await appStatus(applicant, id)).toBe('已支付');
  });

  it('keeps a second payment and refunds it through 财务; cancelling a paid application refunds → 已退款', async () => {
    const applicant = await loggedInApplicant(t);
    const { id, number } = await approvedApplication(t, clock, applicant);
    const order = await applicant.post<Order>(`/api/applications/${id}/payment/wechat`);
    await applicant.post(`/api/applications/${id}/payment/bank`);
    await applicant.upload(`/api/applications/${id}/payment/bank/voucher`, await jpegScan('v'), 'v.jpg', 'image/jpeg', { note: '' });
    const finance = await staff('finance');
    const item = (await finance.get<{ items: { id: string; number: string }[] }>('/api/finance/queue')).body.items.find((i) => i.number === number)!;
    await finance.post(`/api/finance/payments/${item.id}/confirm`);
    // The QR code shown earlier is paid after all: recorded, not applied twice, refunded by 财务.
    const late = await sim().pay(order.body.payment.outTradeNo);
    expect(late.outcomes, JSON.stringify(late)).toEqual([204]);
    expect(await actions(id)).toContain('payment.duplicate');
    const refunds = await finance.get<{ items: { id: string; number: string; kind: string }[] }>('/api/finance/refunds');
    const duplicate = refunds.body.items.find((r) => r.number === number && r.kind === 'duplicate')!;
    const refunded = await finance.post<{ statusLabel: string }>(`/api/finance/refunds/${duplicate.id}/complete`);
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(200);
    expect(refunded.body.statusLabel).toBe('已支付');

    const other = await loggedInApplicant(t);
    const paid = await approvedApplication(t, clock, other);
    const o2 = await other.post<Order>(`/api/applications/${paid.id}/payment/wechat`);
    await sim().pay(o2.body.payment.outTradeNo);
    const cancelled = await other.post<{ statusLabel: string }>(`/api/applications/${paid.id}/refund`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.statusLabel).toBe('已退款');
  });

  it('keeps payment to the owner and to 资料审核通过', async () => {
    const owner = await loggedInApplicant(t);
    const { id } = await approvedApplication(t, clock, owner);
    const stranger = await loggedInApplicant(t);
    expect((await stranger.post(`/api/applications/${id}/payment/wechat`)).status).toBe(404);
    expect((await stranger.get(`/api/applications/${id}/payment`)).status).toBe(404);
    const draftOwner = await loggedInApplicant(t);
    const list = await draftOwner.get<{ items: unknown[] }>('/api/applications');
    expect(list.status).toBe(200);
  });
});

describe('微信支付: an authentic notification about the wrong amount', () => {
  // WeChat Pay's signature and decryption are the adapter's (tested against the simulator above);
  // here the provider vouches for a notification whose amount is not the order's, to show that the
  // payments module changes nothing and writes the mismatch to the audit log.
  let other: TestApp;
  let reported = { outTradeNo: '', amountFen: 0 };
  beforeAll(async () => {
    other = await startTestApp({
      clock: clock.now,
      wechatPay: {
        createNativeOrder: async (o) => ({ codeUrl: `weixin://wxpay/bizpayurl?pr=${o.outTradeNo}` }),
        queryOrder: async (outTradeNo) => ({ mchid: 'm', appid: 'a', outTradeNo, tradeState: 'NOTPAY' }),
        closeOrder: async () => undefined,
        refund: async () => {
          throw new Error('not used');
        },
        queryRefund: async () => {
          throw new Error('not used');
        },
        parseNotify: async () => ({
          kind: 'transaction',
          id: `notify-${reported.outTradeNo}`,
          createTime: clock.now(),
          eventType: 'TRANSACTION.SUCCESS',
          transaction: { mchid: 'm', appid: 'a', outTradeNo: reported.outTradeNo, tradeState: 'SUCCESS', transactionId: '4200000000', amountFen: reported.amountFen },
        }),
      },
    });
  });
  afterAll(async () => {
    await other?.close();
  });

  it('leaves the application unpaid and records the mismatch', async () => {
    const applicant = await loggedInApplicant(other);
    const { id } = await approvedApplication(other, clock, applicant);
    const order = await applicant.post<Order>(`/api/applications/${id}/payment/wechat`);
    reported = { outTradeNo: order.body.payment.outTradeNo, amountFen: 1 };
    const res = await fetch(`${other.url}/api/payments/wechat/notify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(204);
    expect(await appStatus(applicant, id)).toBe('资料审核通过');
    const rows = await other.certdesk.database.db.select({ action: auditLog.action, data: auditLog.data }).from(auditLog).where(eq(auditLog.entityId, id));
    expect(rows.find((r) => r.action === 'payment.amount_mismatch')?.data).toMatchObject({ expectedFen: 19500, reportedFen: 1 });
    expect(rows.some((r) => r.action === 'application.pay_online')).toBe(false);
  });
});
