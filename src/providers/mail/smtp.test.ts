/**
 * The real SMTP adapter against the loopback simulator over real SMTP on 127.0.0.1: AUTH, MIME
 * encoding of Chinese headers and file names, a PDF that must arrive byte for byte, and the
 * classification of every refusal as retryable or permanent that the job queue relies on.
 */
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedPort } from '../aliyun/test-server.ts';
import { MemoryMailOutbox, startMailSimulator, type MailSimulator } from './simulator.ts';
import { SmtpMailProvider, type SmtpMailOptions } from './smtp.ts';
import { MailError, type OutgoingMail } from './types.ts';

const USER = 'certdesk-test';
const PASSWORD = 'mail-test-secret-0123456789';
const FROM = 'CertDesk 数字证书认证中心 <invoice@certdesk.example>';

let sim: MailSimulator;
let outbox: MemoryMailOutbox;
let pdf: Buffer;

async function invoicePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('Invoice 25117000000012345678 - 195.00 CNY', { x: 50, y: 780, size: 14, font });
  return Buffer.from(await doc.save());
}

function adapter(overrides: Partial<SmtpMailOptions> = {}): SmtpMailProvider {
  return new SmtpMailProvider({ host: '127.0.0.1', port: sim.port, security: 'none', user: USER, password: PASSWORD, from: FROM, ...overrides });
}

function invoiceMail(to: string): OutgoingMail {
  return {
    to,
    subject: '您的电子发票（申请单号 CD20260001）',
    text: '您好：\n附件为您的增值税电子普通发票，价税合计 195.00 元。',
    html: '<p>您好：</p><p>附件为您的<b>增值税电子普通发票</b>，价税合计 195.00 元。</p>',
    attachments: [{ filename: '电子发票_CD20260001.pdf', contentType: 'application/pdf', content: pdf }],
  };
}

async function failure(promise: Promise<unknown>): Promise<MailError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MailError);
  return err as MailError;
}

beforeAll(async () => {
  pdf = await invoicePdf();
  sim = await startMailSimulator({
    outbox: { add: (m, now) => outbox.add(m, now), list: (limit, f) => outbox.list(limit, f), get: (id) => outbox.get(id) },
    port: 0,
    credentials: { user: USER, password: PASSWORD },
  });
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(() => {
  outbox = new MemoryMailOutbox();
});

describe('SmtpMailProvider against the mail simulator', () => {
  it('logs in, sends text, HTML and a PDF that arrives byte for byte, Chinese headers intact', async () => {
    const { messageId } = await adapter().send(invoiceMail('caiwu@buyer.example'));

    const [mail, ...others] = await sim.received({ to: 'caiwu@buyer.example' });
    expect(others).toHaveLength(0);
    expect(mail?.messageId).toBe(messageId);
    expect(mail?.envelopeFrom).toBe('invoice@certdesk.example');
    expect(mail?.envelopeTo).toEqual(['caiwu@buyer.example']);
    expect(mail?.from).toBe('CertDesk 数字证书认证中心 <invoice@certdesk.example>');
    expect(mail?.subject).toBe('您的电子发票（申请单号 CD20260001）');
    expect(mail?.text).toContain('价税合计 195.00 元');
    expect(mail?.html).toContain('<b>增值税电子普通发票</b>');
    expect(mail?.secured).toBe(false);
    expect(mail?.attachments).toHaveLength(1);
    const [attachment] = mail?.attachments ?? [];
    expect(attachment?.filename).toBe('电子发票_CD20260001.pdf');
    expect(attachment?.contentType).toBe('application/pdf');
    expect(attachment?.content.equals(pdf)).toBe(true);
    // The summary the /dev/mail list shows is the same mail.
    const [summary] = await outbox.list(10);
    expect(summary?.attachments).toEqual([{ filename: '电子发票_CD20260001.pdf', contentType: 'application/pdf', size: pdf.length }]);
  });

  it('refuses a wrong password with 535, permanently, and keeps nothing', async () => {
    const err = await failure(adapter({ password: 'not-the-password' }).send(invoiceMail('caiwu@buyer.example')));
    expect(err.code).toBe('auth');
    expect(err.smtpCode).toBe(535);
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('not-the-password');
    expect(await outbox.list(10)).toHaveLength(0);
  });

  it('refuses a sender that does not log in', async () => {
    const err = await failure(adapter({ user: undefined, password: undefined }).send(invoiceMail('caiwu@buyer.example')));
    expect(err.smtpCode).toBe(530);
    expect(err.retryable).toBe(false);
    expect(await outbox.list(10)).toHaveLength(0);
  });

  it('a 4xx after DATA is retryable, and the next attempt is delivered', async () => {
    sim.refuseNext(1, { code: 451 });
    const err = await failure(adapter().send(invoiceMail('retry@buyer.example')));
    expect(err).toMatchObject({ code: 'rejected', smtpCode: 451, retryable: true });
    expect(await outbox.list(10)).toHaveLength(0);

    await adapter().send(invoiceMail('retry@buyer.example'));
    expect(await sim.received({ to: 'retry@buyer.example' })).toHaveLength(1);
  });

  it('a 5xx after DATA is permanent', async () => {
    sim.refuseNext(1, { code: 554, message: '5.7.1 Message rejected as spam' });
    const err = await failure(adapter().send(invoiceMail('caiwu@buyer.example')));
    expect(err).toMatchObject({ code: 'rejected', smtpCode: 554, retryable: false });
    expect(err.message).toContain('5.7.1 Message rejected as spam');
  });

  it('refusals at RCPT TO: 4xx retryable, unknown mailbox permanent', async () => {
    sim.refuseNext(2, { code: 450, at: 'rcpt' });
    const first = await failure(adapter().send(invoiceMail('caiwu@buyer.example')));
    expect(first).toMatchObject({ code: 'recipient', smtpCode: 450, retryable: true });
    const second = await failure(adapter().send(invoiceMail('caiwu@buyer.example')));
    expect(second).toMatchObject({ code: 'recipient', smtpCode: 450, retryable: true });

    const unknown = await failure(adapter().send(invoiceMail('nobody@buyer.invalid')));
    expect(unknown).toMatchObject({ code: 'recipient', smtpCode: 550, retryable: false });
    expect(await outbox.list(10)).toHaveLength(0);
  });

  it('a malformed address is refused before any connection, permanently', async () => {
    const err = await failure(new SmtpMailProvider({ host: '127.0.0.1', port: await closedPort(), security: 'none', from: FROM }).send(invoiceMail('不是邮箱')));
    expect(err).toMatchObject({ code: 'invalid_address', retryable: false });
    expect(err.message).toBe('收件邮箱地址无效：不是邮箱');
  });

  it('no server listening is a retryable connection failure', async () => {
    const port = await closedPort();
    const err = await failure(new SmtpMailProvider({ host: '127.0.0.1', port, security: 'none', from: FROM }).send(invoiceMail('caiwu@buyer.example')));
    expect(err).toMatchObject({ code: 'connection', retryable: true });
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it('a user without a password is a configuration error', () => {
    expect(() => adapter({ password: undefined })).toThrow(MailError);
  });
});

describe('STARTTLS', () => {
  let tlsSim: MailSimulator;
  const tlsOutbox = new MemoryMailOutbox();

  beforeAll(async () => {
    tlsSim = await startMailSimulator({ outbox: tlsOutbox, port: 0, credentials: { user: USER, password: PASSWORD }, starttls: true });
  });
  afterAll(async () => {
    await tlsSim?.close();
  });

  it('upgrades the connection before AUTH when starttls is required', async () => {
    // smtp-server's built-in certificate is self-signed for localhost: trusted here by choice.
    await adapter({ port: tlsSim.port, security: 'starttls', tls: { rejectUnauthorized: false } }).send(invoiceMail('tls@buyer.example'));
    const [mail] = await tlsSim.received({ to: 'tls@buyer.example' });
    expect(mail?.secured).toBe(true);
    expect(mail?.attachments[0]?.content.equals(pdf)).toBe(true);
  });

  it('refuses to send when STARTTLS is required and the server does not offer it', async () => {
    const err = await failure(adapter({ security: 'starttls' }).send(invoiceMail('caiwu@buyer.example')));
    expect(err.retryable).toBe(false);
    expect(await outbox.list(10)).toHaveLength(0);
  });

  it('refuses a certificate it cannot verify (smtp-server\'s built-in one is self-signed and expired)', async () => {
    const err = await failure(adapter({ port: tlsSim.port, security: 'starttls' }).send(invoiceMail('caiwu@buyer.example')));
    expect(err.code).toBe('tls');
    expect(err.retryable).toBe(false);
  });
});
