/**
 * 发票 end to end on a real app and database: payments through their real paths (WeChat Pay's
 * simulator speaking API v3, 财务's 确认到账), the 诺诺 adapter talking to the e-invoice simulator
 * over HTTP, and mails read from the SMTP simulator (nodemailer → smtp-server). Issued once
 * whatever replays; the PDF says who bought what for how much; a platform that is down is retried;
 * a refund issues the 红字发票; 重开 reverses and issues anew; the ledger adds up to the payments and
 * its Excel file reads back with the same rows.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../../src/pdf/testing.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { company, loggedInApplicant } from '../support/applicant.ts';
import type { ErrorBody, TestClient } from '../support/http.ts';
import { jpegScan } from '../support/images.ts';
import { uniqueMailbox, waitForMails } from '../support/mail.ts';
import { approvedApplication } from '../support/scenario.ts';
import { loggedInStaff } from '../support/staff.ts';

const poppler = !skipWithout('发票 PDF 文本检查', { font: true, tools: ['pdftotext'] });
const clock = movableClock();
let t: TestApp;
let finance: TestClient;
const work = mkdtempSync(path.join(tmpdir(), 'certdesk-invoices-'));

beforeAll(async () => {
  t = await startTestApp({ clock: clock.now, invoiceRetryDelaySeconds: 1, wechatPaySimulatorTiming: { notifyRetryDelaysMs: [100, 200], refundDelayMs: 100 } });
  finance = await loggedInStaff(t, clock, ['finance']);
});
afterAll(async () => {
  await t?.close();
  rmSync(work, { recursive: true, force: true });
});

const wechat = () => t.certdesk.wechatPaySimulator ?? fail('WeChat Pay simulator');
const platform = () => t.certdesk.einvoiceSimulator ?? fail('e-invoice simulator');
const mailbox = () => t.certdesk.mailSimulator ?? fail('mail simulator');
function fail(what: string): never {
  throw new Error(`${what} is not running`);
}

interface InvoiceRow {
  id: string;
  colour: 'blue' | 'red';
  status: string;
  statusLabel: string;
  number: string | null;
  totalFen: number;
  buyerName: string;
  lastError: string | null;
  mails: { status: string }[];
}
interface Invoices {
  editable: boolean;
  paid: boolean;
  invoices: InvoiceRow[];
}

const normalInvoice = (email: string, title: string = company.name) => ({ wanted: true, type: 'normal', title, taxNumber: company.uscc, email });

async function invoicesOf(client: TestClient, id: string): Promise<Invoices> {
  const r = await client.get<Invoices>(`/api/applications/${id}/invoices`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** Polls until `done` holds for the application's invoices (the jobs run on the queue). */
async function until(client: TestClient, id: string, done: (rows: InvoiceRow[]) => boolean, timeoutMs = 30_000): Promise<InvoiceRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = (await invoicesOf(client, id)).invoices;
    if (done(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`invoices of ${id} did not get there: ${JSON.stringify(rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
const issuedBlue = (rows: InvoiceRow[]) => rows.some((r) => r.colour === 'blue' && r.status === 'issued');

async function payByWechat(client: TestClient, id: string) {
  const order = await client.post<{ payment: { outTradeNo: string } }>(`/api/applications/${id}/payment/wechat`);
  expect(order.status, JSON.stringify(order.body)).toBe(200);
  return wechat().pay(order.body.payment.outTradeNo);
}

async function payByBank(client: TestClient, id: string) {
  expect((await client.post(`/api/applications/${id}/payment/bank`)).status).toBe(200);
  const voucher = await client.upload(`/api/applications/${id}/payment/bank/voucher`, await jpegScan('voucher', 240, 160), 'voucher.jpg', 'image/jpeg', { note: '已汇款' });
  expect(voucher.status, JSON.stringify(voucher.body)).toBe(200);
  const queue = await finance.get<{ items: { id: string; applicationId: string }[] }>('/api/finance/queue');
  const payment = queue.body.items.find((p) => p.applicationId === id);
  if (!payment) throw new Error('the voucher is not in 财务 queue');
  const confirmed = await finance.post(`/api/finance/payments/${payment.id}/confirm`);
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return payment.id;
}

async function download(client: TestClient, urlPath: string): Promise<{ status: number; type: string | null; data: Buffer }> {
  const res = await fetch(t.url + urlPath, { headers: client.cookie ? { cookie: client.cookie } : {} });
  return { status: res.status, type: res.headers.get('content-type'), data: Buffer.from(await res.arrayBuffer()) };
}

function pdfText(data: Uint8Array): string {
  const file = path.join(work, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, data);
  return execFileSync('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

/** Beijing today, as the ledger's dates are read. */
const today = () => new Date(clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);

describe('发票', () => {
  it('is issued once after 微信支付 (replays issue nothing more), mailed with its PDF, downloadable by its owner only; a refund issues the 红字发票', async () => {
    const email = uniqueMailbox();
    const applicant = await loggedInApplicant(t);
    const { id, number } = await approvedApplication(t, clock, applicant, { invoice: normalInvoice(email) });
    expect((await invoicesOf(applicant, id)).invoices).toEqual([]);

    const delivery = await payByWechat(applicant, id);
    await Promise.all([wechat().replay(delivery.id), wechat().replay(delivery.id)]);
    const [blue] = await until(applicant, id, issuedBlue);
    if (!blue?.number) throw new Error('no invoice number');
    expect(blue.number).toMatch(/^\d{20}$/);
    expect(blue.totalFen).toBe(19500);

    const [mail] = await waitForMails(mailbox(), email);
    expect(mail?.subject).toContain(blue.number);
    expect(mail?.subject).toContain(number);
    const attachment = mail?.attachments[0];
    expect(attachment?.contentType).toBe('application/pdf');
    if (poppler && attachment) {
      const text = pdfText(attachment.content);
      expect(text).toContain(company.name);
      expect(text).toContain(company.uscc);
      expect(text).toContain('195.00');
    }

    // 下载发票 from the list: the owner gets the same file; another applicant gets 404.
    const list = await applicant.get<{ items: { id: string; invoice: { id: string; downloadable: boolean } | null }[] }>('/api/applications');
    const row = list.body.items.find((r) => r.id === id);
    expect(row?.invoice).toMatchObject({ id: blue.id, downloadable: true });
    const file = await download(applicant, `/api/invoices/${blue.id}/pdf`);
    expect(file.status).toBe(200);
    expect(file.type).toBe('application/pdf');
    expect(file.data.equals(attachment?.content ?? Buffer.alloc(0))).toBe(true);
    const stranger = await loggedInApplicant(t);
    expect((await download(stranger, `/api/invoices/${blue.id}/pdf`)).status).toBe(404);

    // Issued: no more changes by the applicant.
    expect((await invoicesOf(applicant, id)).editable).toBe(false);
    const late = await applicant.request<ErrorBody>('PUT', `/api/applications/${id}/invoice`, normalInvoice(email, '别的公司'));
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('请联系财务人员重开');

    // /dev/invoices lists what the simulated platform issued, with the PDF's link.
    const devPage = await t.certdesk.app.inject({ method: 'GET', url: '/dev/invoices' });
    expect(devPage.statusCode).toBe(200);
    expect(devPage.body).toContain(blue.number);
    expect(devPage.body).toMatch(/href="\/sim\/nuonuo\/files\/[A-Za-z0-9_-]+\.pdf"/);

    // Several notifies, one invoice, one mail (the platform saw one order).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await invoicesOf(applicant, id)).invoices).toHaveLength(1);
    expect(platform().invoices().filter((i) => i.number === blue.number)).toHaveLength(1);
    expect(await waitForMails(mailbox(), email)).toHaveLength(1);

    // 重新发送 to a corrected address: the same PDF arrives there, and the send is on the record.
    const other = uniqueMailbox('finance');
    const resent = await applicant.post<{ to: string; statusLabel: string }>(`/api/invoices/${blue.id}/resend`, { email: other });
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body.to).not.toContain(other.split('@')[0]); // masked
    const [again] = await waitForMails(mailbox(), other);
    expect(again?.attachments[0]?.content.equals(attachment?.content ?? Buffer.alloc(0))).toBe(true);
    expect((await stranger.post(`/api/invoices/${blue.id}/resend`, {})).status).toBe(404);
    await until(applicant, id, (r) => r.find((x) => x.id === blue.id)?.mails.filter((m) => m.status === 'sent').length === 2);

    // 取消 a paid application: WeChat Pay refunds it, and the invoice is reversed by a red one.
    const refund = await applicant.post<{ statusLabel: string }>(`/api/applications/${id}/refund`);
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    const rows = await until(applicant, id, (r) => r.some((x) => x.colour === 'red' && x.status === 'issued'));
    const red = rows.find((r) => r.colour === 'red');
    expect(red?.totalFen).toBe(-19500);
    expect(rows.find((r) => r.id === blue.id)?.statusLabel).toBe('已红冲');
    const mails = await waitForMails(mailbox(), email, { count: 2 });
    expect(mails[0]?.subject).toContain('红字发票');
  });

  it('refuses a 专票 without bank data, retries a platform that is down, takes a corrected title until issued, and 财务 重开 after', async () => {
    const email = uniqueMailbox();
    const applicant = await loggedInApplicant(t);
    const { id } = await approvedApplication(t, clock, applicant, { invoice: normalInvoice(email, '错误的抬头') });

    const special = { ...normalInvoice(email), type: 'special', address: '呼和浩特市新城区', phone: '0471-1234567', bank: '中国银行呼和浩特分行' };
    const noAccount = await applicant.request<ErrorBody>('PUT', `/api/applications/${id}/invoice`, special);
    expect(noAccount.status).toBe(400);
    expect(noAccount.body.error.message).toContain('账号');

    // Before the invoice leaves for the platform the applicant corrects the title and the type.
    expect((await invoicesOf(applicant, id)).editable).toBe(true);
    const corrected = await applicant.request('PUT', `/api/applications/${id}/invoice`, { ...special, title: company.name, account: '6217000012345678' });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);

    // The platform is away: the invoice is 开具中 with the platform's silence noted, retried, and
    // issued once it is back; while it is on its way the buyer no longer changes.
    platform().down();
    await payByBank(applicant, id);
    await until(applicant, id, (rows) => rows.some((r) => r.lastError !== null));
    expect((await invoicesOf(applicant, id)).editable).toBe(false);
    platform().up();
    const [blue] = await until(applicant, id, issuedBlue, 45_000);
    expect(blue?.buyerName).toBe(company.name);
    expect(platform().invoices().find((i) => i.number === blue?.number)?.kind).toBe('special');

    // 财务 发票管理: 重开 with another title → the old one red, a new blue one, both mailed.
    const listed = await finance.get<{ items: { id: string; applicationId: string; status: string }[] }>('/api/finance/invoices?status=issued');
    expect(listed.body.items.some((i) => i.id === blue?.id)).toBe(true);
    const reissued = await finance.post<{ red: { id: string }; blue: { id: string } }>(`/api/finance/invoices/${blue?.id}/reissue`, { ...special, title: `${company.name}（分公司）`, account: '6217000012345678' });
    expect(reissued.status, JSON.stringify(reissued.body)).toBe(200);
    const rows = await until(applicant, id, (r) => r.filter((x) => x.status === 'issued').length === 2);
    expect(rows.map((r) => `${r.colour} ${r.statusLabel}`).sort()).toEqual(['blue 已开具', 'blue 已红冲', 'red 已开具']);
    expect(rows.find((r) => r.colour === 'blue' && r.status === 'issued')?.buyerName).toBe(`${company.name}（分公司）`);
    await waitForMails(mailbox(), email, { count: 3 });
    // A second 重开 of the reversed one is refused in words 财务 read.
    const again = await finance.post<ErrorBody>(`/api/finance/invoices/${blue?.id}/reissue`, { ...special, account: '6217000012345678' });
    expect(again.status).toBe(409);

    // 发票台账: today's rows of this test's application add up to what it paid (195) once; the Excel file has the same rows.
    const ledger = await finance.get<{ rows: { id: string; applicationNumber: string; totalFen: number }[]; totals: { totalFen: number } }>(`/api/finance/invoice-ledger?from=${today()}&to=${today()}`);
    expect(ledger.status, JSON.stringify(ledger.body)).toBe(200);
    const mine = ledger.body.rows.filter((r) => rows.some((x) => x.id === r.id));
    expect(mine).toHaveLength(3);
    expect(mine.reduce((sum, r) => sum + r.totalFen, 0)).toBe(19500);
    expect(ledger.body.totals.totalFen).toBe(ledger.body.rows.reduce((sum, r) => sum + r.totalFen, 0));

    const xlsx = await download(finance, `/api/finance/invoice-ledger/export?from=${today()}&to=${today()}&format=xlsx`);
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.data as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('发票台账');
    const numbers: string[] = [];
    sheet?.eachRow((r, n) => {
      if (n > 1) numbers.push(String(r.getCell(2).value ?? ''));
    });
    expect(numbers.slice(0, -1)).toEqual(ledger.body.rows.map((r) => (r as unknown as { number: string }).number));
    const csv = await download(finance, `/api/finance/invoice-ledger/export?from=${today()}&to=${today()}&format=csv`);
    expect(csv.data.toString('utf8').split('\r\n').filter(Boolean)).toHaveLength(ledger.body.rows.length + 2);

    // Not for applicants (no staff session), nor for a reviewer.
    expect((await applicant.get('/api/finance/invoices')).status).toBe(401);
    const reviewer = await loggedInStaff(t, clock, ['reviewer']);
    expect((await reviewer.get('/api/finance/invoices')).status).toBe(403);
  });
});
