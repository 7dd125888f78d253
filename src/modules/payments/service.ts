/**
 * payments: 支付 as the manual tells it. 银行汇款 — the CA's account, the exact amount and a
 * remittance code, 上传凭证 + 支付说明 → 待确认到账, then 财务 confirms (→ 已支付) or rejects with a
 * reason (→ 资料审核通过, SMS). 微信支付 lives in wechat.ts. The amount is always the application's
 * own price, never the browser's. Every status change goes through fireTransition.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { checkImage, ImageRejected } from '../../attachments/image.ts';
import type { Db, Tx } from '../../db/database.ts';
import { feeWaived } from '../../domain/aftersales.ts';
import { assertWork, mayWork, statusLabels, type SystemActor } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import { formatYuan } from '../../domain/money.ts';
import { paymentMethodLabels, paymentStatusLabels, remittanceCode } from '../../domain/payment.ts';
import type { Principal } from '../../domain/principal.ts';
import type { PaymentsConfig } from '../../config.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import * as apps from '../applications/repository.ts';
import { fireTransition } from '../applications/transitions.ts';
import type { ApplicantNotices } from '../notifications/notices.ts';
import * as repo from './repository.ts';

export type Applicant = Extract<Principal, { kind: 'applicant' }>;
export type Staff = Extract<Principal, { kind: 'staff' }>;

export interface PaymentsDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  blobs: BlobStore;
  config: PaymentsConfig;
  notices: ApplicantNotices;
  /** 发票: asked for with 已支付, reversed with a cancelled application's refund (same transactions). */
  invoices?: {
    requestFor(tx: Tx, app: apps.ApplicationRow, paidFen: number): Promise<void>;
    reverseFor(tx: Tx, applicationId: string): Promise<void>;
  };
}

export const notFound = () => new AppError('NOT_FOUND', '申请不存在', 404);

export function paymentView(p: repo.PaymentRow) {
  return {
    id: p.id,
    method: p.method,
    methodLabel: paymentMethodLabels[p.method],
    status: p.status,
    statusLabel: paymentStatusLabels[p.status],
    amount: formatYuan(p.amountFen),
    amountFen: p.amountFen,
    remittanceCode: p.remittanceCode,
    note: p.note,
    rejectReason: p.rejectReason,
    hasVoucher: p.voucherBlobKey !== null,
    outTradeNo: p.outTradeNo,
    expiresAt: p.expiresAt?.toISOString() ?? null,
    paidAt: p.paidAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
  };
}

/** 支付 is open only in 资料审核通过 (the manual), and again after 财务 rejected a voucher. */
export function assertPayable(app: apps.ApplicationRow): void {
  assertWork(app.status, 'pay');
}

const FEE_WAIVED: SystemActor = { kind: 'system', id: 'fee-waived' };

export function createPaymentsService(deps: PaymentsDeps) {
  const { db, clock, log } = deps;

  async function owned(applicant: Applicant, id: string) {
    const app = await apps.findOwned(db, applicant.id, id);
    if (!app) throw notFound();
    return app;
  }

  /**
   * The bank transfer the applicant may make now: its exact amount and remittance code. An open
   * attempt at the current price is reused, so a transfer already made with its code still
   * matches; otherwise (none yet, or 财务 rejected the last voucher) a new code is drawn.
   */
  async function openBankTransfer(conn: Db | Tx, app: apps.ApplicationRow): Promise<repo.PaymentRow> {
    const open = await repo.latest(conn, app.id, 'bank_transfer');
    if (open && open.status === 'open' && open.amountFen === app.priceFen) return open;
    const now = clock();
    return repo.insert(conn, {
      applicationId: app.id,
      method: 'bank_transfer',
      amountFen: app.priceFen,
      status: 'open',
      remittanceCode: remittanceCode(randomBytes(5)),
      createdAt: now,
      updatedAt: now,
    });
  }

  /** 已支付: production waits for the applicant's 确认印章, so the SMS asks for it; the invoice is asked for. */
  async function paid(tx: Tx, app: apps.ApplicationRow): Promise<void> {
    await deps.notices.send(tx, app.applicantId, 'seal_confirmation', { number: app.number });
    await deps.invoices?.requestFor(tx, app, app.priceFen);
  }

  /**
   * What follows 资料审核通过 (a reviewer's or 续期自动审核), in its transaction: the bank transfer's
   * remittance code and the 审核通过 SMS — or, where the fee is 0 (变更 by default), 已支付 at once
   * through the domain's waive_fee rule, and what follows a payment.
   */
  async function approved(tx: Tx, app: apps.ApplicationRow): Promise<apps.ApplicationRow> {
    if (feeWaived(app.priceFen)) {
      const row = await fireTransition(tx, app, 'waive_fee', FEE_WAIVED, clock(), { amountFen: 0 });
      await paid(tx, row);
      return row;
    }
    await openBankTransfer(tx, app);
    await deps.notices.send(tx, app.applicantId, 'review_approved', { number: app.number, amount: formatYuan(app.priceFen) });
    return app;
  }

  /** 已退款 (a cancelled application's money is back): its invoice is reversed. */
  async function refunded(tx: Tx, app: apps.ApplicationRow): Promise<void> {
    await deps.invoices?.reverseFor(tx, app.id);
  }

  return {
    openBankTransfer,
    approved,
    paid,
    refunded,

    /**
     * For the list: how to remit for each 资料审核通过 application — the account, the exact amount
     * and the code to put in the memo (the manual has the applicant remit before pressing 支付).
     */
    async bankInstructionsOf(applications: { id: string; priceFen: number }[]) {
      const open = await repo.openBankTransfersOf(db, applications.map((a) => a.id));
      const out = new Map<string, { accountName: string; bankName: string; accountNumber: string; remittanceCode: string; amount: string }>();
      for (const a of applications) {
        const payment = open.find((p) => p.applicationId === a.id && p.amountFen === a.priceFen && p.remittanceCode);
        if (payment?.remittanceCode) out.set(a.id, { ...deps.config.bank, remittanceCode: payment.remittanceCode, amount: formatYuan(payment.amountFen) });
      }
      return out;
    },

    /** What the 支付 dialog shows: amount, the bank account, the current attempt. */
    async overview(applicant: Applicant, id: string) {
      const app = await owned(applicant, id);
      const current = await repo.latest(db, app.id);
      const bank = await repo.latest(db, app.id, 'bank_transfer');
      return {
        number: app.number,
        status: app.status,
        statusLabel: statusLabels[app.status],
        amount: formatYuan(app.priceFen),
        payable: mayWork(app.status, 'pay'),
        bank: { ...deps.config.bank, remittanceCode: bank?.remittanceCode ?? null },
        current: current ? paymentView(current) : null,
      };
    },

    /**
     * 银行汇款 → 确认支付: the account, the exact amount and this attempt's remittance code. An open
     * attempt is reused, so a transfer already made with its code still matches; after 财务 rejects
     * a voucher the next attempt gets a new code.
     */
    async chooseBank(applicant: Applicant, id: string) {
      const app = await owned(applicant, id);
      assertPayable(app);
      const payment = await openBankTransfer(db, app);
      return { bank: { ...deps.config.bank, remittanceCode: payment.remittanceCode }, payment: paymentView(payment) };
    },

    /** 上传凭证 + 支付说明 → 确定提交: the voucher follows the attachments' image rules. */
    async submitVoucher(applicant: Applicant, id: string, data: Buffer, fileName: string, note: string) {
      const app = await owned(applicant, id);
      assertPayable(app);
      let image;
      try {
        image = await checkImage(data, fileName);
      } catch (err) {
        if (err instanceof ImageRejected) throw new AppError(err.code, err.message, 422);
        throw err;
      }
      const now = clock();
      const blobKey = `vouchers/${now.getUTCFullYear()}/${randomUUID()}.${image.extension}`;
      await deps.blobs.put(blobKey, image.data, image.type);
      return db.transaction(async (tx) => {
        const locked = await apps.lockOwned(tx, applicant.id, id);
        if (!locked) throw notFound();
        let payment = await repo.latest(tx, locked.id, 'bank_transfer');
        if (!payment || payment.status !== 'open') {
          throw new AppError('CHOOSE_BANK_FIRST', '请先选择“银行汇款”并点击“确认支付”，按页面上的账户和汇款识别码汇款', 409);
        }
        payment = await repo.writeStatus(tx, payment, 'submit_voucher', {
          voucherBlobKey: blobKey,
          voucherContentType: image.type,
          voucherSha256: createHash('sha256').update(image.data).digest('hex'),
          note,
          updatedAt: now,
        });
        const row = await fireTransition(tx, locked, 'submit_voucher', applicant, now, {
          paymentId: payment.id,
          remittanceCode: payment.remittanceCode,
          amountFen: payment.amountFen,
        });
        log.info({ applicationId: locked.id, paymentId: payment.id }, 'voucher submitted');
        return { status: row.status, statusLabel: statusLabels[row.status], payment: paymentView(payment) };
      });
    },

    async voucher(paymentId: string, applicant?: Applicant) {
      const payment = await repo.findById(db, paymentId);
      if (!payment?.voucherBlobKey) throw new AppError('NOT_FOUND', '凭证不存在', 404);
      if (applicant && !(await apps.findOwned(db, applicant.id, payment.applicationId))) throw new AppError('NOT_FOUND', '凭证不存在', 404);
      const blob = await deps.blobs.get(payment.voucherBlobKey);
      if (!blob) throw new AppError('NOT_FOUND', '凭证文件不存在', 404);
      return blob;
    },

    /** 财务's queue: vouchers waiting, oldest first. */
    async financeQueue() {
      const rows = await repo.byStatus(db, ['submitted']);
      return rows.map((r) => ({ ...paymentView(r.payment), applicationId: r.payment.applicationId, number: r.number, orgName: r.orgName }));
    },

    /** 确认到账 (→ 已支付) — inside the caller's transaction when a statement import matched it. */
    async confirm(staff: Staff, paymentId: string, source: 'manual' | 'statement' = 'manual', conn?: Tx) {
      const run = async (tx: Tx) => {
        const payment = await repo.lock(tx, paymentId);
        if (!payment) throw new AppError('NOT_FOUND', '支付记录不存在', 404);
        const app = await apps.lockById(tx, payment.applicationId);
        if (!app) throw notFound();
        const now = clock();
        await repo.writeStatus(tx, payment, 'confirm', { paidAt: now, decidedBy: staff.id, updatedAt: now });
        const row = await fireTransition(tx, app, 'confirm_payment', staff, now, { paymentId, amountFen: payment.amountFen, source });
        await paid(tx, row);
        return { status: row.status, statusLabel: statusLabels[row.status] };
      };
      return conn ? run(conn) : db.transaction(run);
    },

    /** 驳回 with a reason (→ 资料审核通过; the applicant is told by SMS and may pay again). */
    async reject(staff: Staff, paymentId: string, reason: string) {
      return db.transaction(async (tx) => {
        const payment = await repo.lock(tx, paymentId);
        if (!payment) throw new AppError('NOT_FOUND', '支付记录不存在', 404);
        const locked = await apps.lockById(tx, payment.applicationId);
        if (!locked) throw notFound();
        const now = clock();
        await repo.writeStatus(tx, payment, 'reject', { rejectReason: reason, decidedBy: staff.id, updatedAt: now });
        const row = await fireTransition(tx, locked, 'reject_payment', staff, now, { paymentId, summary: `驳回原因：${reason}` });
        // Paying again: a new remittance code, shown on the list at once.
        await openBankTransfer(tx, row);
        await deps.notices.send(tx, row.applicantId, 'payment_rejected', { number: row.number, reason: reason.slice(0, 30) });
        return { status: row.status, statusLabel: statusLabels[row.status] };
      });
    },
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
