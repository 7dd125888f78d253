/**
 * The one database schema (Drizzle). Migrations under migrations/ are generated from this file
 * with `npm run db:generate` and applied at start-up and by `certdesk migrate`.
 * Each module owns its tables; the comment on each says which.
 */
import { sql } from 'drizzle-orm';
import { applicantTypes, applicationStatuses, draftSteps } from '../domain/application.ts';
import type { Delivery, Invoice } from '../domain/application-form.ts';
import type { ReturnedItem } from '../domain/review.ts';
import { applicationKinds, priceKinds, successions } from '../domain/aftersales.ts';
import type { RenewalEvidence } from '../domain/renewal.ts';
import { invoiceColours, invoiceStatuses } from '../domain/invoice.ts';
import { invoiceKinds, type InvoiceBuyer } from '../domain/invoice-buyer.ts';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** auth: organisations' operators (经办人), known by their mobile number. */
export const applicants = pgTable('applicants', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  phone: text('phone').notNull().unique(),
  createdAt: ts('created_at').notNull(),
  lastLoginAt: ts('last_login_at'),
});

/**
 * auth: one-time SMS codes, hashed with a keyed HMAC — to log in, or to confirm a 挂失; the newest
 * live one per phone and purpose is the valid one.
 */
export const loginCodes = pgTable(
  'login_codes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    phone: text('phone').notNull(),
    purpose: text('purpose', { enum: ['login', 'loss_report'] }).notNull().default('login'),
    codeHash: text('code_hash').notNull(),
    ip: text('ip').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    /** Set when the code logged someone in, burned by too many failures, or replaced by a newer one. */
    endedAt: ts('ended_at'),
    endReason: text('end_reason', { enum: ['used', 'burned', 'replaced', 'undeliverable'] }),
  },
  (t) => [
    index('login_codes_phone_created_idx').on(t.phone, t.createdAt),
    index('login_codes_ip_created_idx').on(t.ip, t.createdAt),
  ],
);

/**
 * auth: server-side sessions for both kinds of principal. The cookie holds a random token; only
 * its SHA-256 is stored, so a copy of this table lets nobody in.
 */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    principalKind: text('principal_kind', { enum: ['applicant', 'staff'] }).notNull(),
    principalId: uuid('principal_id').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    ip: text('ip').notNull(),
    userAgent: text('user_agent').notNull().default(''),
  },
  (t) => [index('sessions_principal_idx').on(t.principalKind, t.principalId)],
);

/** platform: settings generated once and shared by every app instance (e.g. the demo secret). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/**
 * providers/sms simulator: the outbox of the loopback SMS gateway, in the database so that every
 * app instance's simulator writes to, and /dev/sms reads from, the same place. Not used in production.
 */
export const simulatedSms = pgTable(
  'simulated_sms',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    /** Arrival order: "newest first" must not depend on the clocks of the instances that sent. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    phone: text('phone').notNull(),
    signName: text('sign_name').notNull(),
    templateCode: text('template_code').notNull(),
    params: jsonb('params').$type<Record<string, string>>().notNull(),
    text: text('text').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('simulated_sms_seq_idx').on(t.seq)],
);

/** catalogue: 证书用途 / 所属项目, and the extra attachments each needs per applicant type. */
export const projects = pgTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  /** { enterprise: AttachmentKind[], institution: AttachmentKind[] } */
  extraAttachments: jsonb('extra_attachments').$type<Record<'enterprise' | 'institution', string[]>>().notNull(),
  sortOrder: integer('sort_order').notNull().default(0),
  active: boolean('active').notNull().default(true),
  /** Four eyes: 审核通过 takes two different reviewers (初审通过, then 复核通过). */
  requiresSecondReview: boolean('requires_second_review').notNull().default(false),
  /** 续期自动审核: an unchanged renewal confirmed by the registry goes straight to 资料审核通过. */
  renewalAutoReview: boolean('renewal_auto_review').notNull().default(false),
});

/** catalogue: prices in fen; the newest effective row of a kind applies. */
export const prices = pgTable('prices', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  kind: text('kind', { enum: priceKinds }).notNull(),
  amountFen: integer('amount_fen').notNull(),
  effectiveFrom: ts('effective_from').notNull(),
});

/** contracts: versioned templates; an accepted contract keeps the version it was accepted under. */
export const contractTemplates = pgTable(
  'contract_templates',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('contract_templates_version_idx').on(t.version)],
);

export const applicationNumberSeq = pgSequence('application_number_seq', { startWith: 1 });

/** applications: the 申请单 and its draft data. Status changes only through the domain's transition(). */
export const applications = pgTable(
  'applications',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    number: text('number').notNull().unique(),
    applicantId: uuid('applicant_id').notNull(),
    status: text('status', { enum: applicationStatuses }).notNull(),
    /** 新办, or 续期 / 变更 / 补办 of `concernsSerial`: one pipeline, the kind is data. */
    kind: text('kind', { enum: applicationKinds }).notNull().default('new'),
    /**
     * 续期 / 变更 / 补办: the unit signing certificate the application concerns (its pair goes with
     * it). The column keeps the name 续期 gave it; its unique index allows one such application per
     * certificate at a time.
     */
    concernsSerial: text('renews_serial'),
    /** 续期 / 变更 / 补办: what the unit's data was when last verified, and which fields changed. */
    renewal: jsonb('renewal').$type<RenewalEvidence>(),
    step: text('step', { enum: draftSteps }).notNull(),
    applicantType: text('applicant_type', { enum: applicantTypes }).notNull(),
    operatorName: text('operator_name').notNull(),
    operatorIdNumber: text('operator_id_number').notNull(),
    operatorPhone: text('operator_phone').notNull(),
    operatorVerifiedAt: ts('operator_verified_at').notNull(),
    orgName: text('org_name'),
    uscc: text('uscc'),
    legalRepresentative: text('legal_representative'),
    orgVerifiedAt: ts('org_verified_at'),
    /**
     * 'match' (enterprise register), 'not_found' (企业不存在: continues as 事业单位, checked by hand),
     * or 'lagging' (变更: the register still shows the old data; the reviewer checks the proof).
     */
    registryOutcome: text('registry_outcome', { enum: ['match', 'not_found', 'lagging'] }),
    manualReview: boolean('manual_review').notNull().default(false),
    projectId: text('project_id'),
    invoice: jsonb('invoice').$type<Invoice>(),
    delivery: jsonb('delivery').$type<Delivery>(),
    priceKind: text('price_kind', { enum: priceKinds }).notNull(),
    priceFen: integer('price_fen').notNull(),
    /** 服务年限 paid for: the certificate's validity (priceFen = first year + renewal × further years). */
    termYears: integer('term_years').notNull().default(1),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    submittedAt: ts('submitted_at'),
    /** Milestones (domain/milestones.ts), written with the transitions that reach them: what the 运营看板 reads. */
    inReviewSince: ts('in_review_since'),
    approvedAt: ts('approved_at'),
    paidAt: ts('paid_at'),
    productionStartedAt: ts('production_started_at'),
    dispatchedAt: ts('dispatched_at'),
    completedAt: ts('completed_at'),
  },
  (t) => [
    index('applications_applicant_idx').on(t.applicantId, t.createdAt),
    index('applications_status_idx').on(t.status),
    // 运营看板 (modules/reports): applications by the day they were submitted, approved, dispatched;
    // the latter two with the time each is measured from (review and production turnaround), read from the index alone.
    index('applications_submitted_idx').on(t.submittedAt),
    index('applications_approved_idx').on(t.approvedAt, t.inReviewSince),
    index('applications_dispatched_idx').on(t.dispatchedAt, t.paidAt),
    // 运营看板: the project of each payment of a quarter or a year, hashed from the index instead of the table's wide rows.
    index('applications_id_project_idx').on(t.id, t.projectId),
    // One 续期 / 变更 / 补办 of a certificate at a time: another is refused while one is under way or done.
    uniqueIndex('applications_renews_serial_idx').on(t.concernsSerial).where(sql`renews_serial IS NOT NULL AND status NOT IN ('cancelled', 'refunded')`),
  ],
);

/** contracts: each acceptance, kept as evidence (电子签名法). */
export const contractAcceptances = pgTable('contract_acceptances', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  applicationId: uuid('application_id').notNull(),
  kind: text('kind', { enum: ['sign', 'read'] }).notNull(),
  templateVersion: integer('template_version').notNull(),
  textSha256: text('text_sha256').notNull(),
  acceptedAt: ts('accepted_at').notNull(),
  ip: text('ip').notNull(),
  userAgent: text('user_agent').notNull(),
  phone: text('phone').notNull(),
});

/** attachments: scans, stored in the blob store; a replaced upload is kept, marked superseded. */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    applicationId: uuid('application_id').notNull(),
    kind: text('kind').notNull(),
    blobKey: text('blob_key').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    sha256: text('sha256').notNull(),
    originalName: text('original_name').notNull(),
    uploadedAt: ts('uploaded_at').notNull(),
    supersededAt: ts('superseded_at'),
  },
  (t) => [index('attachments_application_idx').on(t.applicationId, t.kind)],
);

/**
 * audit: append-only, hash-chained. Each record's hash covers its content and the previous
 * record's hash, so editing or deleting any row breaks the chain from there on.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  // An application's timeline reads its records.
  (t) => [index('audit_log_entity_idx').on(t.entityType, t.entityId, t.id)],
);

/**
 * auth: the CA's staff. Password hashed with argon2id; the TOTP secret sealed with a key derived
 * from the master secret; roles 审核员 reviewer, 财务 finance, 制证员 producer, 管理员 admin.
 */
export const staffAccounts = pgTable('staff_accounts', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  passwordHash: text('password_hash').notNull(),
  totpSecretSealed: text('totp_secret_sealed'),
  totpEnrolledAt: ts('totp_enrolled_at'),
  roles: jsonb('roles').$type<string[]>().notNull(),
  disabledAt: ts('disabled_at'),
  /** Failed logins from unfamiliar sources in the current window (modules/staff/throttle.ts): the strangers' bucket. */
  failedLogins: integer('failed_logins').notNull().default(0),
  /** Until when unfamiliar sources wait before their next attempt; the account itself is never locked. */
  lockedUntil: ts('locked_until'),
  createdAt: ts('created_at').notNull(),
  lastLoginAt: ts('last_login_at'),
});

/**
 * review: each decision on an application — 审核通过, or 审核不通过 with a reason per item (a field
 * or an attachment) — with a snapshot of what was reviewed, so the next review sees what changed.
 */
export const reviewDecisions = pgTable(
  'review_decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationId: uuid('application_id').notNull(),
    reviewerId: uuid('reviewer_id').notNull(),
    /** 'first_approval' is 初审通过 on a project that requires a second reviewer: no status change. */
    decision: text('decision', { enum: ['approve', 'return', 'first_approval'] }).notNull(),
    items: jsonb('items').$type<ReturnedItem[]>().notNull(),
    note: text('note').notNull().default(''),
    snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('review_decisions_application_idx').on(t.applicationId, t.createdAt)],
);

/** notifications: SMS texts as data, versioned; the newest version of a code is used. */
export const smsTemplates = pgTable(
  'sms_templates',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    code: text('code').notNull(),
    version: integer('version').notNull(),
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('sms_templates_code_version_idx').on(t.code, t.version)],
);

/**
 * payments: each attempt to pay an application — a bank transfer with its remittance code and
 * voucher, or a WeChat Pay Native order. An application is paid once; a second success is kept
 * (status 'duplicate') and refunded.
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    applicationId: uuid('application_id').notNull(),
    method: text('method', { enum: ['bank_transfer', 'wechat'] }).notNull(),
    amountFen: integer('amount_fen').notNull(),
    status: text('status', { enum: ['open', 'submitted', 'rejected', 'paid', 'closed', 'duplicate', 'refunded'] }).notNull(),
    remittanceCode: text('remittance_code').unique(),
    voucherBlobKey: text('voucher_blob_key'),
    voucherContentType: text('voucher_content_type'),
    voucherSha256: text('voucher_sha256'),
    note: text('note').notNull().default(''),
    rejectReason: text('reject_reason'),
    outTradeNo: text('out_trade_no').unique(),
    codeUrl: text('code_url'),
    expiresAt: ts('expires_at'),
    transactionId: text('transaction_id'),
    paidAt: ts('paid_at'),
    decidedBy: uuid('decided_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('payments_application_idx').on(t.applicationId, t.createdAt),
    index('payments_status_idx').on(t.status),
    // 运营看板: money received per day.
    index('payments_paid_at_idx').on(t.paidAt),
  ],
);

/** payments: WeChat Pay notifications already applied, by their id: a replay changes nothing. */
export const paymentNotifications = pgTable('payment_notifications', {
  id: text('id').primaryKey(),
  outTradeNo: text('out_trade_no').notNull(),
  outcome: text('outcome').notNull(),
  receivedAt: ts('received_at').notNull(),
});

/** payments: money going back — a cancelled paid application, or a second payment of one. */
export const refunds = pgTable(
  'refunds',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    paymentId: uuid('payment_id').notNull(),
    applicationId: uuid('application_id').notNull(),
    outRefundNo: text('out_refund_no').notNull().unique(),
    amountFen: integer('amount_fen').notNull(),
    reason: text('reason').notNull(),
    kind: text('kind', { enum: ['cancel', 'duplicate'] }).notNull(),
    /** pending: waits for 财务 (a bank transfer back); processing/succeeded/failed: the provider's word. */
    status: text('status', { enum: ['pending', 'processing', 'succeeded', 'failed'] }).notNull(),
    providerRefundId: text('provider_refund_id'),
    createdAt: ts('created_at').notNull(),
    settledAt: ts('settled_at'),
  },
  (t) => [index('refunds_status_idx').on(t.status), index('refunds_created_idx').on(t.createdAt)],
);

// ───────────────────────────────────────── invoices ─────────────────────────────────────────
// The invoices module's tables (src/modules/invoices/repository.ts is the only reader and writer).

/**
 * invoices: one row per 数电票 asked of the e-invoice platform. A blue one per paid application
 * that wants one (at most one not yet reversed); a red one per reversal, pointing at the blue.
 * Status changes only through invoiceTransition (domain/invoice.ts).
 */
export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    applicationId: uuid('application_id').notNull(),
    colour: text('colour', { enum: invoiceColours }).notNull(),
    /** 增值税普通发票 / 增值税专用发票. */
    type: text('type', { enum: invoiceKinds }).notNull(),
    /** Red: the blue invoice it reverses. */
    reversesId: uuid('reverses_id'),
    redReason: text('red_reason', { enum: ['refund', 'reissue'] }),
    status: text('status', { enum: invoiceStatuses }).notNull(),
    buyer: jsonb('buyer').$type<InvoiceBuyer>().notNull(),
    /** Where the invoice is mailed. */
    email: text('email').notNull(),
    /** 价税合计, 金额 (tax excluded) and 税额 in fen; negative on a red invoice. */
    totalFen: integer('total_fen').notNull(),
    amountFen: integer('amount_fen').notNull(),
    taxFen: integer('tax_fen').notNull(),
    /** The rate in basis points (600 = 6%). */
    taxRateBp: integer('tax_rate_bp').notNull(),
    goodsName: text('goods_name').notNull(),
    /** Our order number at the platform: a repeated request is the same invoice, not a second one. */
    orderNo: text('order_no').notNull().unique(),
    platformSerial: text('platform_serial'),
    number: text('number'),
    issuedAt: ts('issued_at'),
    pdfBlobKey: text('pdf_blob_key'),
    xmlBlobKey: text('xml_blob_key'),
    ofdBlobKey: text('ofd_blob_key'),
    attempts: integer('attempts').notNull().default(0),
    /** The platform's (or the network's) last word, in Chinese, when it failed. */
    lastError: text('last_error'),
    /** A refund came while the platform was still issuing it: reverse it as soon as it is issued. */
    reversalDue: boolean('reversal_due').notNull().default(false),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('invoices_one_live_blue').on(t.applicationId).where(sql`colour = 'blue' AND status NOT IN ('reversed', 'cancelled')`),
    uniqueIndex('invoices_one_red_per_blue').on(t.reversesId).where(sql`colour = 'red'`),
    index('invoices_status_idx').on(t.status),
    index('invoices_issued_at_idx').on(t.issuedAt),
  ],
);

/** invoice_mails: each time an invoice was emailed (or the attempt failed), and at whose request. */
export const invoiceMails = pgTable(
  'invoice_mails',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    invoiceId: uuid('invoice_id').notNull(),
    to: text('to').notNull(),
    status: text('status', { enum: ['queued', 'sent', 'failed'] }).notNull(),
    messageId: text('message_id'),
    error: text('error'),
    /** system (after issuing), or the applicant / staff member who pressed 重新发送. */
    requestedBy: text('requested_by').notNull(),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [index('invoice_mails_invoice_idx').on(t.invoiceId)],
);

// ───────────────────────────────────────── ca ─────────────────────────────────────────
// The CA module's tables (src/modules/ca/repository.ts is the only reader and writer).

/** DER and PNG bytes: PGlite hands back Uint8Array, node-postgres a Buffer; both become Uint8Array. */
const bytes = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value),
});

/**
 * ca: root and issuing CAs. A name (`sm2-issuing`) may have several generations; an instance
 * uses the newest one whose key its key store holds (the key never leaves the store).
 */
export const certificateAuthorities = pgTable(
  'certificate_authorities',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: text('name').notNull(),
    family: text('family', { enum: ['sm2', 'p256'] }).notNull(),
    role: text('role', { enum: ['root', 'issuing'] }).notNull(),
    parentId: uuid('parent_id'),
    keyLabel: text('key_label').notNull().unique(),
    /** SHA-1 of the CA's public key (hex): what OCSP CertIDs name the issuer by. */
    keyHash: text('key_hash').notNull(),
    certificate: bytes('certificate').notNull(),
    nextCrlNumber: bigint('next_crl_number', { mode: 'number' }).notNull().default(1),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('certificate_authorities_name_idx').on(t.name, t.createdAt)],
);

/** ca: every certificate issued below a CA, with its status; the CA's own service certificates too. */
export const certificates = pgTable(
  'certificates',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Lower-case hex, no leading zeros (as CRLs and OCSP compare serials). */
    serialHex: text('serial_hex').notNull().unique(),
    issuerCaId: uuid('issuer_ca_id').notNull(),
    applicationId: uuid('application_id'),
    family: text('family', { enum: ['sm2', 'p256'] }).notNull(),
    profile: text('profile').notNull(),
    subjectOrg: text('subject_org'),
    subjectCn: text('subject_cn').notNull(),
    subjectUscc: text('subject_uscc'),
    notBefore: ts('not_before').notNull(),
    notAfter: ts('not_after').notNull(),
    der: bytes('der').notNull(),
    status: text('status', { enum: ['valid', 'revoked'] }).notNull(),
    revokedAt: ts('revoked_at'),
    revocationReason: text('revocation_reason'),
    usbKeySerial: text('usb_key_serial'),
    /** Staff id, or `cli:<user>` / `system`. */
    issuedBy: text('issued_by').notNull(),
    /** Set for the CA's own certificates (seal maker, document signing): their key is in the key store. */
    keyLabel: text('key_label'),
    /** SM2 dual pair (双证书): the serial of the other certificate; revoking one revokes both. */
    pairSerialHex: text('pair_serial_hex'),
    /** KM archive of a CA-generated private key (the encryption key of a dual pair), sealed by the key store. */
    escrowedKey: bytes('escrowed_key'),
    /** 续期 / 变更 / 补办: the certificate this one succeeds (same profile); the lineage /verify and the console show. */
    predecessorSerialHex: text('predecessor_serial_hex'),
    /** Why it succeeds it: renewed (续期), changed (变更), reissued (补办). */
    succession: text('succession', { enum: successions }),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('certificates_application_idx').on(t.applicationId),
    index('certificates_issuer_status_idx').on(t.issuerCaId, t.status),
    // A certificate is succeeded once: one successor.
    uniqueIndex('certificates_predecessor_idx').on(t.predecessorSerialHex),
    // 运营看板: certificates in force and ending soon, issued and revoked in a period. The serial too:
    // those ending soon or in a period are matched against their successors from the index alone.
    index('certificates_profile_status_end_idx').on(t.profile, t.status, t.notAfter, t.notBefore, t.serialHex),
    index('certificates_profile_created_idx').on(t.profile, t.createdAt),
    index('certificates_revoked_at_idx').on(t.revokedAt),
  ],
);

/** ca: GB/T 38540 seals made for applications, bound to the application's signing certificate. */
export const seals = pgTable(
  'seals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    esId: text('es_id').notNull().unique(),
    applicationId: uuid('application_id').notNull(),
    certificateSerial: text('certificate_serial').notNull(),
    name: text('name').notNull(),
    der: bytes('der').notNull(),
    picture: bytes('picture').notNull(),
    validEnd: ts('valid_end').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    /** 变更 / 补办: when the seal of the successor certificate replaced this one, and its esID. */
    supersededAt: ts('superseded_at'),
    supersededBy: text('superseded_by'),
  },
  (t) => [index('seals_application_idx').on(t.applicationId, t.createdAt)],
);

/** ca: the applicant's approval of the seal picture (beyond the manual), by the picture's hash. */
export const sealApprovals = pgTable(
  'seal_approvals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationId: uuid('application_id').notNull(),
    applicantId: uuid('applicant_id').notNull(),
    pictureSha256: text('picture_sha256').notNull(),
    approvedAt: ts('approved_at').notNull(),
  },
  (t) => [index('seal_approvals_application_idx').on(t.applicationId, t.approvedAt)],
);

/** ca: every CRL published, newest number served. */
export const crls = pgTable(
  'crls',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caId: uuid('ca_id').notNull(),
    number: bigint('number', { mode: 'number' }).notNull(),
    thisUpdate: ts('this_update').notNull(),
    nextUpdate: ts('next_update').notNull(),
    der: bytes('der').notNull(),
  },
  (t) => [uniqueIndex('crls_ca_number_idx').on(t.caId, t.number)],
);

/**
 * production: how a made certificate left the CA — 邮寄 (courier, waybill number) or 自取 (the
 * address told to the applicant) — and how the order completed: 确认收货 by the applicant,
 * 现场领取 at the counter, or automatically after AUTO_COMPLETE_DAYS. One row per application.
 */
export const shipments = pgTable(
  'shipments',
  {
    applicationId: uuid('application_id').primaryKey(),
    method: text('method', { enum: ['post', 'pickup'] }).notNull(),
    courier: text('courier'),
    trackingNumber: text('tracking_number'),
    pickupAddress: text('pickup_address'),
    /** Why a 邮寄 order was switched to 自取 (the applicant asked). */
    note: text('note').notNull().default(''),
    shippedBy: uuid('shipped_by').notNull(),
    shippedAt: ts('shipped_at').notNull(),
    completedAt: ts('completed_at'),
    completedHow: text('completed_how', { enum: ['confirmed', 'handover', 'auto'] }),
    /** 'applicant:<id>', 'staff:<id>' or 'system:auto-complete'. */
    completedBy: text('completed_by'),
  },
  (t) => [index('shipments_open_idx').on(t.completedAt, t.shippedAt)],
);

/**
 * contracts: the signed contract PDF of an acceptance (本人已同意签署合同), made once and never
 * rewritten: its SHA-256 is also in the audit log. A later acceptance makes a new document.
 */
export const contractDocuments = pgTable(
  'contract_documents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationId: uuid('application_id').notNull(),
    templateVersion: integer('template_version').notNull(),
    textSha256: text('text_sha256').notNull(),
    pdfSha256: text('pdf_sha256').notNull(),
    blobKey: text('blob_key').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    signerSerial: text('signer_serial').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('contract_documents_application_idx').on(t.applicationId, t.createdAt)],
);

/**
 * ca: a holder's 申请吊销 of one of their application's certificates, decided by staff. At most one
 * pending request per certificate (partial unique index); decided requests stay as the record.
 */
export const revocationRequests = pgTable(
  'revocation_requests',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    certificateSerial: text('certificate_serial').notNull(),
    applicationId: uuid('application_id').notNull(),
    applicantId: uuid('applicant_id').notNull(),
    reason: text('reason').notNull(),
    note: text('note').notNull().default(''),
    /** 申请吊销 (decided by staff), or 挂失 (confirmed by an SMS code, revoked at once: approved when made). */
    kind: text('kind', { enum: ['request', 'loss_report'] }).notNull().default('request'),
    status: text('status', { enum: ['pending', 'approved', 'rejected'] }).notNull(),
    createdAt: ts('created_at').notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    /** Why staff refused (shown to the applicant). */
    decisionNote: text('decision_note'),
  },
  (t) => [
    uniqueIndex('revocation_requests_pending_idx').on(t.certificateSerial).where(sql`status = 'pending'`),
    index('revocation_requests_status_idx').on(t.status, t.createdAt),
    index('revocation_requests_application_idx').on(t.applicationId),
  ],
);

/**
 * usb-key-unlock: each 解锁 asked for — the key, the challenge, the SMS code (its HMAC) sent to the
 * 经办人 — and when it was answered. The rows are the rate limits' counts and the answers' record;
 * the answer itself is never stored.
 */
export const usbKeyUnlocks = pgTable(
  'usb_key_unlocks',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    applicantId: uuid('applicant_id').notNull(),
    applicationId: uuid('application_id').notNull(),
    certificateSerial: text('certificate_serial').notNull(),
    /** As recorded at production (certificates.usb_key_serial), normalised (trimmed, upper-case). */
    keySerial: text('key_serial').notNull(),
    /** Hex, as the key's tool showed it (8 or 16 bytes). */
    challenge: text('challenge').notNull(),
    /** The 经办人's phone the code went to. */
    phone: text('phone').notNull(),
    codeHash: text('code_hash').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    status: text('status', { enum: ['pending', 'answered', 'burned'] }).notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    answeredAt: ts('answered_at'),
  },
  (t) => [index('usb_key_unlocks_key_idx').on(t.keySerial, t.createdAt), index('usb_key_unlocks_applicant_idx').on(t.applicantId, t.createdAt)],
);

/**
 * notifications: the expiry reminders sent (到期提醒), one row per certificate and threshold: the
 * unique key is what makes "exactly one SMS per threshold" hold across instances and restarts.
 */
export const renewalReminders = pgTable(
  'renewal_reminders',
  {
    certificateSerial: text('certificate_serial').notNull(),
    /** Days before expiry (90, 30, 7, 0). */
    thresholdDays: integer('threshold_days').notNull(),
    applicationId: uuid('application_id').notNull(),
    sentAt: ts('sent_at').notNull(),
  },
  (t) => [uniqueIndex('renewal_reminders_serial_threshold_idx').on(t.certificateSerial, t.thresholdDays)],
);

/**
 * dev: the mails the mail simulator received (/dev/mail), only outside production; in the database
 * so that every instance and a restart show the same mails. `raw` is the message as it came over
 * SMTP (attachments are decoded from it when opened); the simulator keeps the newest ones only.
 */
export const devMailOutbox = pgTable(
  'dev_mail_outbox',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    /** Arrival order, as for simulated_sms. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    envelopeFrom: text('envelope_from').notNull(),
    envelopeTo: text('envelope_to').array().notNull(),
    fromHeader: text('from_header').notNull(),
    toHeader: text('to_header').notNull(),
    subject: text('subject').notNull(),
    messageId: text('message_id').notNull(),
    secured: boolean('secured').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    attachments: jsonb('attachments').$type<{ filename: string; contentType: string; size: number }[]>().notNull(),
    raw: bytes('raw').notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [index('dev_mail_outbox_seq_idx').on(t.seq)],
);

// ───────────────────────────────────────── platforms ─────────────────────────────────────────
// The relying platforms' API and webhooks (src/modules/platforms/repository.ts reads and writes
// them; other modules add events only through src/modules/platforms/outbox.ts, in their transaction).

/** 接入平台: a relying platform registered by the 管理员, and the projects whose units it may see. */
export const relyingPlatforms = pgTable('relying_platforms', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  contact: text('contact').notNull(),
  /** Where its webhooks go; null: it only asks. */
  webhookUrl: text('webhook_url'),
  /** 所属项目 (projects.id) whose units and applications it may see. */
  projectIds: text('project_ids').array().notNull(),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/**
 * A platform's API keys. No secret is stored: the secret is derived from the server's key, the key
 * id and `salt` (see src/modules/platforms/credentials.ts for why), and only its SHA-256 is kept.
 * Valid while not revoked and, after a rotation, until `expiresAt` (the overlap).
 */
export const platformApiKeys = pgTable(
  'platform_api_keys',
  {
    keyId: text('key_id').primaryKey(),
    platformId: uuid('platform_id').notNull(),
    salt: text('salt').notNull(),
    secretSha256: text('secret_sha256').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('platform_api_keys_platform_idx').on(t.platformId, t.createdAt)],
);

/** Nonces of signed requests, each accepted once per key until it expires (then pruned). */
export const platformNonces = pgTable(
  'platform_nonces',
  {
    keyId: text('key_id').notNull(),
    nonce: text('nonce').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [uniqueIndex('platform_nonces_key_nonce_idx').on(t.keyId, t.nonce), index('platform_nonces_expiry_idx').on(t.expiresAt)],
);

/** What happened (审核通过, 已签发 …), written in the transaction of the change: the outbox. */
export const webhookEvents = pgTable('webhook_events', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  type: text('type').notNull(),
  applicationId: uuid('application_id').notNull(),
  occurredAt: ts('occurred_at').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
});

/**
 * One event to one platform: pending until delivered (a 2xx) or given up (failed). `seq` orders an
 * application's events for a platform; `queuedAt` says a job is on the queue for it.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    eventId: uuid('event_id').notNull(),
    platformId: uuid('platform_id').notNull(),
    applicationId: uuid('application_id').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    /** Attempts since it was (re)queued. */
    attempts: integer('attempts').notNull().default(0),
    queuedAt: ts('queued_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_platform_idx').on(t.eventId, t.platformId),
    index('webhook_deliveries_stream_idx').on(t.platformId, t.applicationId, t.seq),
    index('webhook_deliveries_unqueued_idx').on(t.seq).where(sql`status = 'pending' AND queued_at IS NULL`),
    index('webhook_deliveries_platform_idx').on(t.platformId, t.createdAt),
  ],
);

/** 每次投递: every attempt, with the platform's status code or what went wrong. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: uuid('delivery_id').notNull(),
    at: ts('at').notNull(),
    attempt: integer('attempt').notNull(),
    /** auto (the queue, with its retries), or resend (the 管理员's 重新投递). */
    trigger: text('trigger', { enum: ['auto', 'resend'] }).notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.id)],
);
