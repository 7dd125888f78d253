/**
 * Mail as the app will run it, on the run's database: the adapter from configuration sends over
 * SMTP with AUTH to the simulator, which keeps the mail in dev_mail_outbox, where a second
 * instance's simulator and a restarted one find it; /dev/mail lists it, opens it (its HTML only in
 * a sandbox), and hands back the PDF byte for byte.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { DbMailOutbox } from '../../src/dev/mail-outbox.ts';
import { devMailRoutes } from '../../src/dev/mail-routes.ts';
import { startMailDelivery, type MailDelivery } from '../../src/providers/mail/delivery.ts';
import { MailError, type OutgoingMail } from '../../src/providers/mail/types.ts';
import { testConfig } from '../support/app.ts';
import { uniqueMailbox, waitForMail } from '../support/mail.ts';
import { useTemplate } from '../support/template.ts';

const config = testConfig();
let database: Database;
let delivery: MailDelivery;
let pdf: Buffer;
let web: FastifyInstance;

function invoiceMail(to: string, html = '<p>您好，附件为您的<b>电子发票</b>。</p>'): OutgoingMail {
  return {
    to,
    subject: '您的电子发票（申请单号 CD20260042）',
    text: '您好：\n附件为您的增值税电子普通发票，价税合计 195.00 元。',
    html,
    attachments: [{ filename: '电子发票_CD20260042.pdf', contentType: 'application/pdf', content: pdf }],
  };
}

beforeAll(async () => {
  const doc = await PDFDocument.create();
  doc.addPage().drawText('Invoice CD20260042 195.00', { x: 40, y: 700, font: await doc.embedFont(StandardFonts.Courier) });
  pdf = Buffer.from(await doc.save());

  database = await openDatabase(config.database, useTemplate(inject('certdeskTemplate'), config, new Date()));
  await database.migrate();
  // As the app would start it: simulator on a free port (PORT=0), the adapter logging in to it.
  expect(config.mail).toMatchObject({ provider: 'simulator', simulatorPort: 0 });
  delivery = await startMailDelivery(config.mail, { outbox: new DbMailOutbox(database.db) });
  web = Fastify();
  await web.register(devMailRoutes, { outbox: new DbMailOutbox(database.db), smtpPort: () => delivery.simulator?.port });
});

afterAll(async () => {
  await web?.close();
  await delivery?.close();
  await database?.close();
});

describe('mail through the simulator, kept in the database', () => {
  it('arrives with its PDF intact, and every instance, also after a restart, sees it', async () => {
    const to = uniqueMailbox();
    const { messageId } = await delivery.provider.send(invoiceMail(to));
    const mail = await waitForMail(delivery.simulator!, to);
    expect(mail.messageId).toBe(messageId);
    expect(mail.attachments[0]?.content.equals(pdf)).toBe(true);

    // Another instance's simulator on the same database, and this one after a restart.
    const other = await startMailDelivery(config.mail, { outbox: new DbMailOutbox(database.db) });
    try {
      expect(other.simulator?.port).not.toBe(delivery.simulator?.port);
      expect((await other.simulator!.received({ to })).map((m) => m.messageId)).toEqual([messageId]);
    } finally {
      await other.close();
    }
    await delivery.close();
    delivery = await startMailDelivery(config.mail, { outbox: new DbMailOutbox(database.db) });
    expect((await delivery.simulator!.received({ to }))[0]?.attachments[0]?.content.equals(pdf)).toBe(true);
  });

  it('a wrong password is refused over SMTP and nothing is kept', async () => {
    const to = uniqueMailbox('refused');
    const wrong = await startMailDelivery({ ...config.mail, provider: 'smtp', port: delivery.simulator!.port, password: 'wrong-password' }, { outbox: new DbMailOutbox(database.db) });
    try {
      const err = await wrong.provider.send(invoiceMail(to)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailError);
      expect(err).toMatchObject({ code: 'auth', smtpCode: 535, retryable: false });
    } finally {
      await wrong.close();
    }
    expect(await delivery.simulator!.received({ to })).toHaveLength(0);
  });

  it('the simulator refusing: 4xx retryable, 5xx permanent; a database refusal is a 451 too', async () => {
    const to = uniqueMailbox('refusals');
    delivery.simulator!.refuseNext(1, { code: 421 });
    await expect(delivery.provider.send(invoiceMail(to))).rejects.toMatchObject({ smtpCode: 421, retryable: true });
    delivery.simulator!.refuseNext(1, { code: 550 });
    await expect(delivery.provider.send(invoiceMail(to))).rejects.toMatchObject({ smtpCode: 550, retryable: false });
    expect(await delivery.simulator!.received({ to })).toHaveLength(0);

    // An outbox that cannot keep the mail: the sender is told to try again, not that it was delivered.
    const broken = await startMailDelivery(config.mail, {
      outbox: { add: () => Promise.reject(new Error('database gone')), list: async () => [], get: async () => undefined },
    });
    try {
      await expect(broken.provider.send(invoiceMail(to))).rejects.toMatchObject({ code: 'rejected', smtpCode: 451, retryable: true });
    } finally {
      await broken.close();
    }
  });

  // Pruning to two mails would take other tests' mails away on CI's shared PostgreSQL: PGlite only.
  it.skipIf(config.database.kind === 'postgres')('keeps only the newest mails', async () => {
    const small = new DbMailOutbox(database.db, 2);
    const base = { envelopeFrom: 'a@ca.example', from: 'a@ca.example', to: 'b@buyer.example', messageId: '', secured: false, text: '', html: undefined, attachments: [], raw: Buffer.from('') };
    const to = uniqueMailbox('capacity');
    for (const subject of ['一', '二', '三']) await small.add({ ...base, envelopeTo: [to], subject }, new Date());
    expect((await small.list(10, { to })).map((m) => m.subject)).toEqual(['三', '二']);
    expect(await small.list(10)).toHaveLength(2);
  });
});

describe('/dev/mail', () => {
  it('lists the mail, opens it, shows the HTML only in a sandbox, and downloads the PDF', async () => {
    const to = uniqueMailbox('page');
    const hostile = '<p>发票已开具</p><script>alert("x")</script><img src="https://tracker.example/p.gif">';
    await delivery.provider.send(invoiceMail(to, hostile));
    const mail = await waitForMail(delivery.simulator!, to);

    const list = await web.inject({ method: 'GET', url: '/dev/mail' });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('模拟邮件收件箱');
    expect(list.body).toContain(`127.0.0.1:${delivery.simulator!.port}`);
    const row = new RegExp(`<tr data-mail-id="${mail.id}">([\\s\\S]*?)</tr>`).exec(list.body)?.[1] ?? '';
    expect(row).toContain(to);
    expect(row).toContain(`<a href="/dev/mail/${mail.id}">您的电子发票（申请单号 CD20260042）</a>`);
    expect(row).toContain('电子发票_CD20260042.pdf');

    const opened = await web.inject({ method: 'GET', url: `/dev/mail/${mail.id}` });
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['content-security-policy']).toContain("default-src 'none'");
    expect(opened.body).toContain('CertDesk 数字证书认证中心 &lt;invoice@certdesk.example&gt;');
    expect(opened.body).toContain('附件为您的增值税电子普通发票，价税合计 195.00 元。');
    expect(opened.body).toContain(`<iframe class="html" sandbox="" referrerpolicy="no-referrer" title="HTML 正文" src="/dev/mail/${mail.id}/html">`);
    expect(opened.body).not.toContain('<script>');
    expect(opened.body).toContain(`href="/dev/mail/${mail.id}/attachments/0"`);

    const html = await web.inject({ method: 'GET', url: `/dev/mail/${mail.id}/html` });
    expect(html.body).toContain('<p>发票已开具</p>');
    expect(html.headers['content-security-policy']).toMatch(/^sandbox; default-src 'none'; img-src data:;/);

    const file = await web.inject({ method: 'GET', url: `/dev/mail/${mail.id}/attachments/0` });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="_____CD20260042.pdf"; filename*=UTF-8''${encodeURIComponent('电子发票_CD20260042.pdf')}`);
    expect(file.rawPayload.equals(pdf)).toBe(true);

    const raw = await web.inject({ method: 'GET', url: `/dev/mail/${mail.id}/raw` });
    expect(raw.headers['content-type']).toBe('message/rfc822');
    expect(raw.body).toContain('Content-Type: application/pdf');
  });

  it('answers an unknown mail or attachment with a Chinese 404', async () => {
    for (const url of ['/dev/mail/00000000-0000-4000-8000-000000000000', '/dev/mail/not-a-uuid', '/dev/mail/not-a-uuid/html', '/dev/mail/00000000-0000-4000-8000-000000000000/attachments/0']) {
      const res = await web.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).toContain('邮件不存在');
    }
    const to = uniqueMailbox('missing');
    await delivery.provider.send({ ...invoiceMail(to), attachments: [] });
    const mail = await waitForMail(delivery.simulator!, to);
    for (const index of ['0', '-1', 'x']) {
      expect((await web.inject({ method: 'GET', url: `/dev/mail/${mail.id}/attachments/${index}` })).statusCode).toBe(404);
    }
    expect((await web.inject({ method: 'GET', url: `/dev/mail/${mail.id}` })).body).toContain('无附件');
  });
});
