/**
 * invoices: 数电票 for paid applications, through the e-invoice platform, mailed to the applicant.
 *
 * Every change is made inside the transaction of what caused it: a payment's 已支付 asks for the
 * blue invoice (`requestFor`), a refund's success reverses it (`reverseFor`), and the job that
 * talks to the platform is queued on that same transaction — so a rolled-back payment asks for
 * nothing and a process killed after the commit loses no invoice. The platform works
 * asynchronously (submit, then ask for the result), and may be down: the job retries with the
 * queue's backoff, records the platform's last word, and after INVOICE_MAX_ATTEMPTS shows
 * 开具失败 to 财务, who may 重试. The payment and the application never fail because of it.
 *
 * A blue invoice is asked for at most once per application (a unique index on the live one), so a
 * replayed WeChat Pay notify or a second 确认到账 issues nothing more; the platform's order number
 * is ours (the invoice's), so a job repeated after a crash is the same invoice there too.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/database.ts';
import { AppError } from '../../domain/errors.ts';
import { inGroup } from '../../domain/application.ts';
import {
  INVOICE_MAX_ATTEMPTS,
  buyerEditable,
  formOf,
  invoiceColourLabels,
  invoiceStatusLabels,
  ledgerTotals,
  maskEmail,
  redReasonLabels,
  requestOf,
  type InvoiceRequestOf,
  type RedReason,
  type WantedInvoice,
} from '../../domain/invoice.ts';
import { invoiceKindLabels } from '../../domain/invoice-buyer.ts';
import { negateAmounts, percentTaxRate, splitTaxIncluded } from '../../domain/invoice-amounts.ts';
import { formatYuan } from '../../domain/money.ts';
import type { Principal } from '../../domain/principal.ts';
import type { EInvoiceProvider, InvoiceResult, IssuedInvoice } from '../../providers/einvoice/types.ts';
import { EInvoiceError } from '../../providers/einvoice/types.ts';
import type { MailProvider } from '../../providers/mail/types.ts';
import { MailError } from '../../providers/mail/types.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import * as apps from '../applications/repository.ts';
import { appendAudit, type AuditEntry } from '../audit/chain.ts';
import type { AuditDataOf } from '../../domain/audit-actions.ts';
import * as repo from './repository.ts';

type Actor = Principal | { kind: 'system'; id: string };
type Applicant = Extract<Principal, { kind: 'applicant' }>;
type Staff = Extract<Principal, { kind: 'staff' }>;
const SYSTEM = { kind: 'system' as const, id: 'invoices' };
type InvoiceAction = Extract<keyof AuditDataOf, `invoice.${string}`>;
type InvoiceAudit = { [A in InvoiceAction]: { action: A; data: AuditDataOf[A] } }[InvoiceAction];

/** How the invoice jobs are queued: on the caller's transaction, so they commit or vanish with it. */
export interface InvoiceJobs {
  issue(tx: Tx, invoiceId: string, options?: { startAfterSeconds?: number }): Promise<void>;
  mail(tx: Tx, mailId: string): Promise<void>;
}

export interface InvoicesDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  blobs: BlobStore;
  platform: () => EInvoiceProvider;
  mail: () => MailProvider;
  jobs: InvoiceJobs;
  /** The service line's rate (basis points) and name, as the platform will print them. */
  taxRateBp: number;
  goodsName: string;
  caName: string;
}

/** How soon an invoice the platform is still issuing (开票中) is asked about again. */
const STILL_ISSUING_RETRY_SECONDS = 2;

/** A job should be asked again later (the platform has not finished, or could not be reached). */
export class TryAgainLater extends Error {
  constructor(readonly seconds: number, message: string) {
    super(message);
  }
}

const notFound = () => new AppError('NOT_FOUND', '发票不存在', 404);

export function invoiceView(r: repo.InvoiceRow) {
  return {
    id: r.id,
    colour: r.colour,
    colourLabel: invoiceColourLabels[r.colour],
    status: r.status,
    statusLabel: invoiceStatusLabels[r.status],
    type: r.type,
    typeLabel: invoiceKindLabels[r.type],
    buyerName: r.buyer.name,
    buyerTaxNumber: r.buyer.taxNumber,
    email: maskEmail(r.email),
    total: formatYuan(r.totalFen),
    totalFen: r.totalFen,
    amount: formatYuan(r.amountFen),
    tax: formatYuan(r.taxFen),
    taxRate: percentTaxRate(r.taxRateBp),
    number: r.number,
    issuedAt: r.issuedAt?.toISOString() ?? null,
    downloadable: r.pdfBlobKey !== null,
    reason: r.redReason ? redReasonLabels[r.redReason] : null,
    lastError: r.lastError,
    createdAt: r.createdAt.toISOString(),
  };
}
export type InvoiceView = ReturnType<typeof invoiceView>;

function mailView(m: repo.InvoiceMailRow) {
  const labels = { queued: '发送中', sent: '已发送', failed: '发送失败' } as const;
  return { id: m.id, to: maskEmail(m.to), status: m.status, statusLabel: labels[m.status], error: m.error, at: (m.sentAt ?? m.createdAt).toISOString() };
}

function describe(err: unknown): string {
  if (err instanceof EInvoiceError || err instanceof MailError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export function createInvoicesService(deps: InvoicesDeps) {
  const { db, clock, log, jobs } = deps;

  /** An invoice's step on its application's record (the staff timeline shows it). */
  async function audit(tx: Tx, actor: Actor, applicationId: string, entry: InvoiceAudit) {
    await appendAudit(tx, { ...entry, at: clock(), actor, entityType: 'application', entityId: applicationId } as AuditEntry);
  }

  // 重试 after 开具失败 asks under a new order number: the old one is spent at the platform (it
  // refused it) or, after attempts that never got through, unknown there.

  /** A new blue invoice for `request`, queued for the platform. */
  async function insertBlue(tx: Tx, applicationId: string, request: InvoiceRequestOf, totalFen: number, actor: Actor, number: string) {
    const now = clock();
    const amounts = splitTaxIncluded(totalFen, deps.taxRateBp);
    const invoice = await repo.insert(tx, {
      applicationId,
      colour: 'blue',
      type: request.type,
      status: 'pending',
      buyer: request.buyer,
      email: request.email,
      totalFen: amounts.totalFen,
      amountFen: amounts.amountFen,
      taxFen: amounts.taxFen,
      taxRateBp: deps.taxRateBp,
      goodsName: deps.goodsName,
      orderNo: orderNumber(),
      createdAt: now,
      updatedAt: now,
    });
    await audit(tx, actor, applicationId, {
      action: 'invoice.request',
      data: { invoiceId: invoice.id, colour: 'blue', type: request.type, totalFen, summary: `${invoiceKindLabels[request.type]}，抬头：${request.buyer.name}，价税合计 ${formatYuan(totalFen)} 元（${number}）` },
    });
    await jobs.issue(tx, invoice.id);
    return invoice;
  }

  /** The red invoice reversing `blue` (issued), queued; the blue one becomes 已红冲. */
  async function insertRed(tx: Tx, blue: repo.InvoiceRow, reason: RedReason, actor: Actor) {
    const now = clock();
    const amounts = negateAmounts({ totalFen: blue.totalFen, amountFen: blue.amountFen, taxFen: blue.taxFen });
    const red = await repo.insert(tx, {
      applicationId: blue.applicationId,
      colour: 'red',
      type: blue.type,
      reversesId: blue.id,
      redReason: reason,
      status: 'pending',
      buyer: blue.buyer,
      email: blue.email,
      totalFen: amounts.totalFen,
      amountFen: amounts.amountFen,
      taxFen: amounts.taxFen,
      taxRateBp: blue.taxRateBp,
      goodsName: blue.goodsName,
      orderNo: orderNumber(),
      createdAt: now,
      updatedAt: now,
    });
    await repo.writeStatus(tx, blue, 'reverse', { updatedAt: now });
    await audit(tx, actor, blue.applicationId, {
      action: 'invoice.reverse',
      data: { invoiceId: blue.id, colour: 'blue', redInvoiceId: red.id, reason, summary: `发票号码 ${blue.number ?? ''}，原因：${redReasonLabels[reason]}` },
    });
    await jobs.issue(tx, red.id);
    return red;
  }

  /** Ends a blue invoice's life, whatever stage it is at: reversed if issued, cancelled if not yet asked for, reversed later if being issued. */
  async function undo(tx: Tx, blue: repo.InvoiceRow, reason: RedReason, actor: Actor): Promise<void> {
    if (blue.status === 'issued') {
      await insertRed(tx, blue, reason, actor);
    } else if (blue.status === 'pending' || blue.status === 'failed') {
      await repo.writeStatus(tx, blue, 'cancel', { updatedAt: clock() });
      await audit(tx, actor, blue.applicationId, { action: 'invoice.cancel', data: { invoiceId: blue.id, colour: 'blue', summary: `原因：${redReasonLabels[reason]}` } });
    } else if (blue.status === 'issuing') {
      await repo.update(tx, blue.id, { reversalDue: true, redReason: reason, updatedAt: clock() });
    }
  }

  async function queueMail(tx: Tx, invoice: repo.InvoiceRow, to: string, requestedBy: Actor) {
    const mail = await repo.insertMail(tx, {
      invoiceId: invoice.id,
      to,
      status: 'queued',
      requestedBy: `${requestedBy.kind}:${requestedBy.id}`,
      createdAt: clock(),
    });
    await jobs.mail(tx, mail.id);
    return mail;
  }

  async function ownedApplication(applicant: Applicant, applicationId: string) {
    const app = await apps.findOwned(db, applicant.id, applicationId);
    if (!app) throw new AppError('NOT_FOUND', '申请不存在', 404);
    return app;
  }

  async function file(invoice: repo.InvoiceRow) {
    if (!invoice.pdfBlobKey) throw new AppError('INVOICE_NOT_ISSUED', '发票尚未开具，暂不能下载', 409);
    const blob = await deps.blobs.get(invoice.pdfBlobKey);
    if (!blob) throw new AppError('NOT_FOUND', '发票文件不存在', 404);
    return { ...blob, fileName: `电子发票-${invoice.number ?? invoice.id}.pdf` };
  }

  // ── the jobs' work ──

  /** Stores what the platform issued and settles the invoice; mails it; reverses it at once if a refund came meanwhile. */
  async function settleIssued(invoice: repo.InvoiceRow, issued: IssuedInvoice) {
    const prefix = `invoices/${issued.issuedAt.getUTCFullYear()}/${invoice.id}`;
    const pdfKey = `${prefix}.pdf`;
    await deps.blobs.put(pdfKey, Buffer.from(issued.pdf), 'application/pdf');
    const xmlKey = issued.xml ? `${prefix}.xml` : null;
    if (issued.xml && xmlKey) await deps.blobs.put(xmlKey, Buffer.from(issued.xml), 'application/xml');
    const ofdKey = issued.ofd ? `${prefix}.ofd` : null;
    if (issued.ofd && ofdKey) await deps.blobs.put(ofdKey, Buffer.from(issued.ofd), 'application/ofd');
    await db.transaction(async (tx) => {
      const locked = await repo.lock(tx, invoice.id);
      if (!locked || locked.status === 'issued') return;
      const now = clock();
      const row = await repo.writeStatus(tx, locked, 'issue', {
        number: issued.number,
        issuedAt: issued.issuedAt,
        platformSerial: issued.serialNo,
        pdfBlobKey: pdfKey,
        xmlBlobKey: xmlKey,
        ofdBlobKey: ofdKey,
        lastError: null,
        updatedAt: now,
      });
      await audit(tx, SYSTEM, row.applicationId, {
        action: 'invoice.issue',
        data: { invoiceId: row.id, colour: row.colour, invoiceNumber: issued.number, totalFen: row.totalFen, summary: `${invoiceColourLabels[row.colour]} ${issued.number}，价税合计 ${formatYuan(row.totalFen)} 元` },
      });
      await queueMail(tx, row, row.email, SYSTEM);
      if (row.colour === 'blue' && row.reversalDue) await insertRed(tx, row, row.redReason ?? 'refund', SYSTEM);
      log.info({ invoiceId: row.id, colour: row.colour, number: issued.number }, 'invoice issued');
    });
  }

  async function fail(invoiceId: string, message: string) {
    await db.transaction(async (tx) => {
      const locked = await repo.lock(tx, invoiceId);
      if (!locked || (locked.status !== 'pending' && locked.status !== 'issuing')) return;
      const row = await repo.writeStatus(tx, locked, 'fail', { lastError: message, updatedAt: clock() });
      await audit(tx, SYSTEM, row.applicationId, { action: 'invoice.fail', data: { invoiceId: row.id, colour: row.colour, summary: message } });
      log.warn({ invoiceId: row.id, colour: row.colour }, 'invoice failed');
    });
  }

  /** A retryable failure: noted on the invoice; after the last attempt it is 开具失败 for 财务. */
  async function failedAttempt(invoice: repo.InvoiceRow, err: unknown): Promise<void> {
    const message = `开票平台暂时无法开具：${describe(err)}`;
    const attempts = invoice.attempts + 1;
    if (attempts >= INVOICE_MAX_ATTEMPTS) return fail(invoice.id, `${message}（已尝试 ${attempts} 次，请检查开票平台后点击“重试”）`);
    await repo.update(db, invoice.id, { attempts, lastError: message, updatedAt: clock() });
    throw err;
  }

  async function askResult(invoice: repo.InvoiceRow): Promise<void> {
    let result: InvoiceResult;
    try {
      result = await deps.platform().query(invoice.orderNo);
    } catch (err) {
      if (err instanceof EInvoiceError && !err.retryable) return fail(invoice.id, describe(err));
      return failedAttempt(invoice, err);
    }
    if (result.status === 'issued') return settleIssued(invoice, result.invoice);
    if (result.status === 'failed') return fail(invoice.id, result.message);
    if (result.status === 'not_found') {
      // Submitted, yet the platform knows nothing of it: counts as a failed attempt, so that it ends in 开具失败 for 财务 rather than being asked for ever.
      const attempts = invoice.attempts + 1;
      if (attempts >= INVOICE_MAX_ATTEMPTS) return fail(invoice.id, `开票平台查无此发票（订单号 ${invoice.orderNo}），请核对后点击“重试”`);
      await repo.update(db, invoice.id, { attempts, lastError: '开票平台尚未查到该发票', updatedAt: clock() });
      throw new TryAgainLater(3 * attempts, '开票平台尚未查到该发票');
    }
    // Still being issued (诺诺 answers in seconds): ask again shortly.
    throw new TryAgainLater(STILL_ISSUING_RETRY_SECONDS, result.message);
  }

  /** Sends the request (the row is 开具中 already, so nobody changes what is sent), then asks for the result. */
  async function submit(invoice: repo.InvoiceRow): Promise<void> {
    let reference: string;
    try {
      if (invoice.colour === 'blue') {
        const app = await apps.findById(db, invoice.applicationId);
        reference = (
          await deps.platform().issue({
            orderNo: invoice.orderNo,
            kind: invoice.type,
            buyer: invoice.buyer,
            totalFen: invoice.totalFen,
            orderedAt: invoice.createdAt,
            remark: app ? `申请编号：${app.number}` : undefined,
          })
        ).serialNo;
      } else {
        const blue = invoice.reversesId ? await repo.findById(db, invoice.reversesId) : undefined;
        if (!blue?.number) return fail(invoice.id, '找不到被红冲的蓝字发票');
        reference = (
          await deps.platform().redInvoice({
            orderNo: invoice.orderNo,
            original: { number: blue.number, kind: blue.type, buyerName: blue.buyer.name, buyerTaxNumber: blue.buyer.taxNumber },
            reason: invoice.redReason === 'reissue' ? 'mistake' : 'stopped',
          })
        ).confirmationId;
      }
    } catch (err) {
      if (err instanceof EInvoiceError && !err.retryable) return fail(invoice.id, describe(err));
      return failedAttempt(invoice, err);
    }
    const submitted = await repo.update(db, invoice.id, { platformSerial: reference, attempts: 0, lastError: null, updatedAt: clock() });
    await askResult(submitted);
  }

  /**
   * 开具中 before anything leaves: from then on the request cannot change (修改发票信息 waits for
   * 开具失败), so what the platform has is what the row says.
   */
  async function claim(invoice: repo.InvoiceRow): Promise<repo.InvoiceRow | undefined> {
    return db.transaction(async (tx) => {
      const locked = await repo.lock(tx, invoice.id);
      if (!locked || locked.status !== 'pending') return undefined;
      return repo.writeStatus(tx, locked, 'submit', { updatedAt: clock() });
    });
  }

  /** 开具中 but not known to have reached the platform (a crash, or a network failure after sending): ask before sending again. */
  async function resume(invoice: repo.InvoiceRow): Promise<void> {
    let known: InvoiceResult;
    try {
      known = await deps.platform().query(invoice.orderNo);
    } catch (err) {
      if (err instanceof EInvoiceError && !err.retryable) return fail(invoice.id, describe(err));
      return failedAttempt(invoice, err);
    }
    if (known.status === 'not_found') return submit(invoice);
    if (known.status === 'issued') return settleIssued(invoice, known.invoice);
    if (known.status === 'failed') return fail(invoice.id, known.message);
    throw new TryAgainLater(STILL_ISSUING_RETRY_SECONDS, known.message);
  }

  return {
    /** 已支付 (inside its transaction): the blue invoice, when the application asked for one. */
    async requestFor(tx: Tx, app: apps.ApplicationRow, paidFen: number): Promise<void> {
      if (!app.invoice?.wanted || paidFen <= 0) return;
      if (await repo.liveBlue(tx, app.id)) return;
      await insertBlue(tx, app.id, requestOf(app.invoice), paidFen, SYSTEM, app.number);
    },

    /** A cancelled application's money went back (inside that transaction): its invoice is reversed. */
    async reverseFor(tx: Tx, applicationId: string): Promise<void> {
      const blue = await repo.liveBlue(tx, applicationId);
      if (blue) await undo(tx, blue, 'refund', SYSTEM);
    },

    /** The issue job: submit, then ask for the result until it is issued or failed. */
    async process(invoiceId: string): Promise<void> {
      const invoice = await repo.findById(db, invoiceId);
      if (!invoice) return;
      if (invoice.status === 'pending') {
        const claimed = await claim(invoice);
        return claimed ? submit(claimed) : undefined;
      }
      if (invoice.status === 'issuing') return invoice.platformSerial ? askResult(invoice) : resume(invoice);
    },

    /** The mail job. */
    async deliverMail(mailId: string): Promise<void> {
      const mail = await repo.findMail(db, mailId);
      if (!mail || mail.status !== 'queued') return;
      const invoice = await repo.findById(db, mail.invoiceId);
      if (!invoice?.pdfBlobKey) return;
      const pdf = await file(invoice);
      const app = await apps.findById(db, invoice.applicationId);
      const red = invoice.colour === 'red';
      const what = red ? '红字发票' : '电子发票';
      const text = [
        `您好：`,
        ``,
        `${deps.caName}已为申请 ${app?.number ?? ''} 开具${what}（${invoiceKindLabels[invoice.type]}）。`,
        `发票号码：${invoice.number}`,
        `购买方：${invoice.buyer.name}（${invoice.buyer.taxNumber}）`,
        `价税合计：${formatYuan(invoice.totalFen)} 元`,
        red ? `该红字发票冲销原发票，原因：${invoice.redReason ? redReasonLabels[invoice.redReason] : '退款'}。` : `发票文件见附件，也可在“我的申请”中点击“下载发票”。`,
        ``,
        deps.caName,
      ].join('\n');
      let outcome: { status: 'sent'; messageId: string } | { status: 'failed'; error: string };
      try {
        const sent = await deps.mail().send({
          to: mail.to,
          subject: `【${deps.caName}】${what} ${invoice.number}（${app?.number ?? ''}）`,
          text,
          attachments: [{ filename: pdf.fileName, contentType: 'application/pdf', content: Buffer.from(pdf.data) }],
        });
        outcome = { status: 'sent', messageId: sent.messageId };
      } catch (err) {
        if (err instanceof MailError && !err.retryable) outcome = { status: 'failed', error: err.message };
        else {
          await repo.updateMail(db, mail.id, { error: describe(err) });
          throw err;
        }
      }
      await db.transaction(async (tx) => {
        const now = clock();
        await repo.updateMail(tx, mail.id, outcome.status === 'sent' ? { status: 'sent', messageId: outcome.messageId, error: null, sentAt: now } : { status: 'failed', error: outcome.error });
        await audit(tx, SYSTEM, invoice.applicationId, {
          action: 'invoice.mail',
          data: {
            invoiceId: invoice.id,
            colour: invoice.colour,
            mailId: mail.id,
            to: maskEmail(mail.to),
            outcome: outcome.status,
            summary: outcome.status === 'sent' ? `发票 ${invoice.number} 已发送至 ${maskEmail(mail.to)}` : `发送至 ${maskEmail(mail.to)} 失败：${outcome.error}`,
          },
        });
      });
    },

    // ── the applicant ──

    /** For the list: each application's invoice, as far as it is. */
    async summariesOf(applicationIds: readonly string[]) {
      const blues = await repo.blueOf(db, applicationIds);
      return new Map([...blues].map(([id, r]) => [id, { id: r.id, status: r.status, statusLabel: invoiceStatusLabels[r.status], number: r.number, downloadable: r.pdfBlobKey !== null }]));
    },

    /** 发票 on 申请详情: every invoice of the application (blue and red) and the mails of each. */
    async ofApplicant(applicant: Applicant, applicationId: string) {
      const app = await ownedApplication(applicant, applicationId);
      const rows = await repo.ofApplication(db, app.id);
      const mails = await repo.mailsOf(db, rows.map((r) => r.id));
      const live = rows.find((r) => r.colour === 'blue' && r.status !== 'reversed' && r.status !== 'cancelled');
      return {
        requested: app.invoice ?? null,
        paid: inGroup(app.status, 'production'),
        editable: app.status !== 'draft' && app.invoice?.wanted === true && buyerEditable(live?.status),
        invoices: rows.map((r) => ({ ...invoiceView(r), mails: mails.filter((m) => m.invoiceId === r.id).map(mailView) })),
      };
    },

    async pdfForApplicant(applicant: Applicant, invoiceId: string) {
      const invoice = await repo.findById(db, invoiceId);
      if (!invoice || !(await apps.findOwned(db, applicant.id, invoice.applicationId))) throw notFound();
      return file(invoice);
    },

    /**
     * 修改发票信息: the applicant's new 发票抬头 / type / 邮箱 until the platform has the invoice;
     * after that only 财务's 重开.
     */
    async changeBuyer(applicant: Applicant, applicationId: string, form: WantedInvoice) {
      return db.transaction(async (tx) => {
        const app = await apps.lockOwned(tx, applicant.id, applicationId);
        if (!app) throw new AppError('NOT_FOUND', '申请不存在', 404);
        if (app.status === 'draft') throw new AppError('INVOICE_IN_FORM', '申请尚未提交，请在申请信息中修改发票信息', 409);
        if (!app.invoice?.wanted) throw new AppError('INVOICE_NOT_REQUESTED', '该申请未选择开具发票', 409);
        const live = await repo.liveBlue(tx, app.id);
        if (!buyerEditable(live?.status)) {
          throw new AppError('INVOICE_ISSUED', '发票已开具（或正在开具），不能再修改；如抬头有误，请联系财务人员重开', 409);
        }
        const request = requestOf(form);
        await apps.updateDraft(tx, app.id, { invoice: form });
        if (live) {
          const now = clock();
          let row = await repo.update(tx, live.id, { type: request.type, buyer: request.buyer, email: request.email, attempts: 0, lastError: null, updatedAt: now });
          if (row.status === 'failed') {
            row = await repo.writeStatus(tx, row, 'retry', { platformSerial: null, orderNo: orderNumber(), updatedAt: now });
            await jobs.issue(tx, row.id);
          }
        }
        await audit(tx, applicant, app.id, {
          action: 'invoice.buyer_change',
          data: { invoiceId: live?.id ?? null, type: request.type, title: request.buyer.name, summary: `${invoiceKindLabels[request.type]}，抬头：${request.buyer.name}` },
        });
        return { invoice: form };
      });
    },

    /** 重新发送: the issued invoice again, to the address given or the one on record. */
    async resend(actor: Applicant | Staff, invoiceId: string, to?: string) {
      return db.transaction(async (tx) => {
        const invoice = await repo.lock(tx, invoiceId);
        if (!invoice) throw notFound();
        if (actor.kind === 'applicant' && !(await apps.findOwned(tx, actor.id, invoice.applicationId))) throw notFound();
        if (!invoice.pdfBlobKey) throw new AppError('INVOICE_NOT_ISSUED', '发票尚未开具，不能发送', 409);
        const mail = await queueMail(tx, invoice, to ?? invoice.email, actor);
        return mailView(mail);
      });
    },

    // ── 财务: 发票管理 ──

    async list(f: { statuses?: repo.InvoiceRow['status'][]; search?: string }) {
      const rows = await repo.list(db, { ...f, limit: 200 });
      return rows.map((r) => ({ ...invoiceView(r.invoice), applicationId: r.invoice.applicationId, applicationNumber: r.number, orgName: r.orgName }));
    },

    async detail(invoiceId: string) {
      const invoice = await repo.findById(db, invoiceId);
      if (!invoice) throw notFound();
      const app = await apps.findById(db, invoice.applicationId);
      const related = await repo.ofApplication(db, invoice.applicationId);
      const mails = await repo.mailsOf(db, [invoice.id]);
      return {
        invoice: { ...invoiceView(invoice), applicationId: invoice.applicationId, applicationNumber: app?.number ?? '', orgName: app?.orgName ?? null, buyer: invoice.buyer, fullEmail: invoice.email },
        related: related.filter((r) => r.id !== invoice.id).map(invoiceView),
        mails: mails.map(mailView),
      };
    },

    async pdfForStaff(invoiceId: string) {
      const invoice = await repo.findById(db, invoiceId);
      if (!invoice) throw notFound();
      return file(invoice);
    },

    /** 重试: a 开具失败 invoice goes to the platform again. */
    async retry(staff: Staff, invoiceId: string) {
      return db.transaction(async (tx) => {
        const invoice = await repo.lock(tx, invoiceId);
        if (!invoice) throw notFound();
        const row = await repo.writeStatus(tx, invoice, 'retry', { attempts: 0, lastError: null, platformSerial: null, orderNo: orderNumber(), updatedAt: clock() });
        await audit(tx, staff, row.applicationId, { action: 'invoice.retry', data: { invoiceId: row.id, colour: row.colour, summary: '财务重新提交开票' } });
        await jobs.issue(tx, row.id);
        return invoiceView(row);
      });
    },

    /**
     * 重开: a wrong 发票抬头 after issuing. The issued invoice is reversed by a red one and a new blue
     * one is asked for with the corrected data (which the application keeps from now on).
     */
    async reissue(staff: Staff, invoiceId: string, form: WantedInvoice) {
      return db.transaction(async (tx) => {
        const invoice = await repo.lock(tx, invoiceId);
        if (!invoice) throw notFound();
        if (invoice.colour !== 'blue') throw new AppError('INVOICE_RED', '红字发票不能重开', 409);
        if (invoice.status !== 'issued') {
          throw new AppError('INVOICE_STATUS', `该张发票为“${invoiceStatusLabels[invoice.status]}”，只有已开具的发票可以重开（未开具的可由申请人修改或点击“重试”）`, 409);
        }
        const app = await apps.lockById(tx, invoice.applicationId);
        if (!app) throw new AppError('NOT_FOUND', '申请不存在', 404);
        const red = await insertRed(tx, invoice, 'reissue', staff);
        const request = requestOf(form);
        await apps.updateDraft(tx, app.id, { invoice: formOf(request) });
        const blue = await insertBlue(tx, app.id, request, invoice.totalFen, staff, app.number);
        return { red: invoiceView(red), blue: invoiceView(blue) };
      });
    },

    /** 发票台账: every invoice issued in [from, to), blue and red, with totals (red counts negative). */
    async ledger(from: Date, to: Date) {
      const rows = (await repo.issuedBetween(db, from, to)).map((r) => ({
        ...invoiceView(r.invoice),
        applicationNumber: r.number,
        orgName: r.orgName,
        amountFen: r.invoice.amountFen,
        taxFen: r.invoice.taxFen,
      }));
      const t = ledgerTotals(rows.map((r) => ({ totalFen: r.totalFen, amountFen: r.amountFen, taxFen: r.taxFen })));
      return { rows, totals: { count: t.count, total: formatYuan(t.totalFen), totalFen: t.totalFen, amount: formatYuan(t.amountFen), tax: formatYuan(t.taxFen) } };
    },
  };
}

/** Our order number at the platform: letters and digits, at most 20, unique (a UUID's first 20 hex digits). */
function orderNumber(): string {
  return `CD${randomUUID().replaceAll('-', '').slice(0, 18).toUpperCase()}`;
}

export type InvoicesService = ReturnType<typeof createInvoicesService>;
