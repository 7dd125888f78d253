/**
 * The use cases, built once from the infrastructure (database, clock, blobs, the CA, the SMS
 * sender) and the outside parties' handles. Nothing here knows about HTTP: src/http/routes.ts
 * serves these, the workers in src/app.ts run their scheduled parts, and tests build state through
 * them (test/support/scenario.ts).
 */
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { ChangeFeed } from './db/change-feed.ts';
import { findById as findApplication, renewalsUnderWay } from './modules/applications/repository.ts';
import { createIdentityService } from './modules/applications/identity.ts';
import { createApplicationsService } from './modules/applications/service.ts';
import { createAttachmentService } from './modules/attachments/service.ts';
import { createAuthService } from './modules/auth/service.ts';
import type { CaModule } from './modules/ca/index.ts';
import { createLossReports } from './modules/ca/loss-reports.ts';
import { createRevocationRequestService } from './modules/ca/revocation-requests.ts';
import { createCatalogueAdmin } from './modules/catalogue/admin.ts';
import { createCatalogueService } from './modules/catalogue/service.ts';
import { createContractAdmin } from './modules/contracts/admin.ts';
import { createContractDocuments } from './modules/contracts/documents.ts';
import { createContractService } from './modules/contracts/service.ts';
import { createExpiryReminders } from './modules/notifications/expiry-reminders.ts';
import { createApplicantNotices } from './modules/notifications/notices.ts';
import type { SmsSender } from './modules/notifications/sms.ts';
import { createSmsTemplateAdmin } from './modules/notifications/templates.ts';
import { createFinance } from './modules/payments/finance.ts';
import { WECHATPAY_NOTIFY_PATH } from './modules/payments/routes.ts';
import { createPaymentsService } from './modules/payments/service.ts';
import { createWechatPayments } from './modules/payments/wechat.ts';
import { createProductionService } from './modules/production/service.ts';
import { createReportsService } from './modules/reports/service.ts';
import { createReviewService } from './modules/review/service.ts';
import { createStaffService, staffDirectory } from './modules/staff/service.ts';
import type { OutsideParties } from './providers/outside-parties.ts';
import type { MailProvider } from './providers/mail/types.ts';
import { createInvoicesService, type InvoiceJobs } from './modules/invoices/service.ts';
import { createPlatformAdmin } from './modules/platforms/admin.ts';
import { createPlatformApi } from './modules/platforms/api.ts';
import type { WebhookDelivery } from './modules/platforms/delivery.ts';
import { createUsbKeyUnlockService } from './modules/usb-key-unlock/service.ts';
import type { Keys } from './security/keys.ts';
import type { BlobStore } from './storage/blob-store.ts';

export interface ServiceDeps {
  config: Config;
  db: Db;
  /** What was written, for the caches that check against it. */
  changes: ChangeFeed;
  clock: () => Date;
  log: Logger;
  keys: Keys;
  ca: CaModule;
  sms: SmsSender;
  blobs: BlobStore;
  parties: OutsideParties;
  mail: () => MailProvider;
  invoiceJobs: InvoiceJobs;
  webhooks: WebhookDelivery;
}

export function createServices({ config, db, changes, clock, log, keys, ca, sms, blobs, parties, mail, invoiceJobs, webhooks }: ServiceDeps) {
  const staffDir = staffDirectory(db);
  const auth = createAuthService({
    db,
    policy: config.auth,
    codeHmacKey: keys.codeHmac,
    sms,
    clock,
    log,
    changes,
    staffPrincipal: staffDir.principal,
  });
  const staff = createStaffService({ db, auth, totpKey: keys.totpSeal, clock, log });
  const notices = createApplicantNotices(sms, auth.applicantPhone);
  const invoices = createInvoicesService({
    db,
    clock,
    log,
    blobs,
    platform: parties.einvoice,
    mail,
    jobs: invoiceJobs,
    taxRateBp: config.einvoice.service.taxRateBp,
    goodsName: config.einvoice.service.goodsName,
    caName: config.caName,
  });
  const payments = createPaymentsService({ db, clock, log, blobs, config: config.payments, notices, invoices });
  const catalogue = createCatalogueService(db);
  const attachments = createAttachmentService(db, blobs, log);
  const review = createReviewService({
    db,
    clock,
    log,
    attachments,
    catalogue,
    staffNames: staffDir.names,
    validCertificates: (uscc) => ca.ca.validForUscc(uscc),
    certificate: (serial) => ca.ca.certificate(serial),
    notices,
    // 资料审核通过: the bank transfer's remittance code exists at once (the list and the SMS point to
    // it), or a fee of 0 makes it 已支付.
    onApproved: (tx, app) => payments.approved(tx, app),
  });
  const production = createProductionService({
    db,
    clock,
    log,
    catalogue,
    notices,
    pickupAddress: config.pickupAddress,
    autoCompleteDays: config.autoCompleteDays,
    // 邮寄 / 通知自取 only once a certificate that is neither revoked nor expired, and the seal, exist.
    handOverProblem: (applicationId) => ca.seals.handOverProblem(applicationId),
  });
  const reminders = createExpiryReminders({ db, clock, log, notices, thresholds: config.renewal.reminderDays });
  const contractDocuments = createContractDocuments({
    db,
    blobs,
    caName: config.caName,
    signing: () => {
      const d = ca.cas.documentSigner;
      return { signer: d.signer, certificate: d.certificate, serialHex: d.serialHex, chain: [ca.cas.issuing.p256.certificate, ca.cas.roots.p256.certificate] };
    },
  });
  const applications = createApplicationsService({
    contractDocuments,
    db,
    clock,
    log,
    caName: config.caName,
    pickupAddress: config.pickupAddress,
    identity: createIdentityService(parties.registry, log),
    catalogue,
    contracts: createContractService(db),
    attachments,
    review,
    staffNames: staffDir.names,
    certificates: { certificate: (serial) => ca.ca.certificate(serial), successorOf: (serial) => ca.ca.successorOf(serial) },
    renewalPolicy: config.renewal,
    // As at a reviewer's 审核通过.
    onAutoApproved: (tx, row) => payments.approved(tx, row),
  });
  const wechat = createWechatPayments({
    db,
    clock,
    log,
    provider: parties.wechatPay,
    notifyUrl: () => parties.wechatNotifyUrl(WECHATPAY_NOTIFY_PATH),
    orderTtlMinutes: config.payments.orderTtlMinutes,
    caName: config.caName,
    payPage: parties.payPage,
    onPaid: payments.paid,
    onRefunded: payments.refunded,
  });
  return {
    auth,
    staff,
    notices,
    payments,
    wechat,
    invoices,
    finance: createFinance(db, clock, payments, wechat),
    catalogue,
    attachments,
    review,
    production,
    reminders,
    applications,
    revocations: createRevocationRequestService({ db, ca: ca.ca, clock, log, notices }),
    // 挂失: confirmed by a one-time code of purpose loss_report to the holder's phone.
    lossReports: createLossReports({
      db,
      ca: ca.ca,
      clock,
      log,
      codes: { request: (phone, ctx) => auth.requestCode(phone, ctx, 'loss_report'), confirm: (phone, code) => auth.confirmCode(phone, code, 'loss_report') },
    }),
    renewalsUnderWay: (serials: string[]) => renewalsUnderWay(db, serials),
    platforms: {
      api: createPlatformApi({ db, clock, keyRoot: keys.platformKeyRoot, skewSeconds: config.platforms.signatureSkewSeconds, ca: ca.ca }),
      admin: createPlatformAdmin({
        db,
        clock,
        keyRoot: keys.platformKeyRoot,
        keyOverlapDays: config.platforms.keyOverlapDays,
        projectExists: async (ids) => (await Promise.all(ids.map((id) => catalogue.project(id).then((p) => [p.id], () => [])))).flat(),
        webhooks: () => webhooks,
      }),
      webhooks,
    },
    unlock: createUsbKeyUnlockService({
      db,
      policy: config.unlock,
      codePolicy: config.auth,
      codeHmacKey: keys.codeHmac,
      sms,
      masterKey: ca.unlockMasterKey,
      certificate: (serial) => ca.ca.certificate(serial),
      application: (id) => findApplication(db, id),
      clock,
      log,
    }),
    reports: createReportsService({ db, clock, catalogue, reviewWaitLimitHours: config.reviewWaitLimitHours }),
    admin: {
      catalogue: createCatalogueAdmin(db, clock),
      contracts: createContractAdmin(db, clock),
      smsTemplates: createSmsTemplateAdmin(db, clock),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
