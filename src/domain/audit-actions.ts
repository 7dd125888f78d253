/**
 * Every audit action CertDesk records, in one place: what it is called, the data it carries, and
 * how a timeline names it. appendAudit accepts only these actions with exactly this data, and the
 * timelines read their words from here, so a new action is declared once and shows up everywhere.
 */
import { eventLabels, type ApplicationEvent, type ApplicationStatus } from './application.ts';

/** A reason or summary the staff timeline shows under the entry. */
interface Summary {
  summary?: string;
}

/** Every status change (fireTransition): the event's own details ride along. */
export type TransitionData = { number: string; from: ApplicationStatus; to: ApplicationStatus } & Summary & Record<string, unknown>;

interface ContractAcceptance {
  templateVersion: number;
  textSha256: string;
  pdfSha256?: string;
  signerSerial?: string;
}

interface CertificateIssued {
  serial?: string;
  profile: string;
  family: string;
  subject: string;
  issuer: string;
  mode?: string;
  usbKeySerial?: string;
  pairSerial?: string;
  keyEscrowed?: boolean;
  /** 续期: the certificate this one renews. */
  predecessor?: string;
}

interface RevocationDecision extends Summary {
  requestId: string;
  serial: string;
  note?: string;
}

interface StaffChange extends Record<string, unknown> {
  username: string;
}

export interface AuditData {
  /** A 续期 / 变更 / 补办 names the certificate it concerns and the application that certificate came from. */
  'application.create': { number: string; status: 'draft'; kind?: 'renewal' | 'change' | 'reissue'; renews?: string; concerns?: string; previous?: string };
  'contract.sign': ContractAcceptance;
  'contract.read': ContractAcceptance;
  'review.first_approval': { number: string };
  /** `inheritedFrom`: a 续期 whose picture is the one approved for the certificate it renews. */
  'seal.picture_approve': { number: string; pictureSha256: string; inheritedFrom?: string };
  /** `supersedes`: the seal of the certificate a 变更 / 补办 succeeds. */
  'seal.make': { number: string; esID: string; certificates: string[]; pictureSha256: string; supersedes?: string };
  'ca.create': { name: string; family: string; role: string; keyLabel: string };
  /** A secret key made in the key store (the USB keys' unlock master key): its check value, never the key. */
  'ca.secret_create': { label: string; algorithm: 'SM4'; checkValue: string };
  /**
   * 解锁 (entity: the certificate's application): a USB key's unlock code answered to its holder,
   * for that key and that challenge. Neither the code nor the SMS code is recorded; the key serial masked.
   */
  'usb_key.unlock': { requestId: string; certificateSerial: string; keySerial: string; summary: string };
  'certificate.issue': CertificateIssued;
  'certificate.revoke': { serial: string; reason: string; profile: string; withPairOf?: string };
  'certificate.key_recover': { serial: string; profile: string };
  /** The key store's files and the KM archive re-encrypted under a new CA_KEY_PASSPHRASE. */
  'ca.passphrase_rotate': { keyFiles: number; escrowedKeys: number };
  /** 到期提醒 sent (on the certificate's application): the threshold it settles and the days it said. */
  'certificate.expiry_reminder': { serial: string; thresholdDays: number; daysLeft: number; notAfter: string; summary: string };
  'revocation_request.create': RevocationDecision & { reason: string; summary: string };
  'revocation_request.approve': RevocationDecision;
  'revocation_request.reject': RevocationDecision;
  /** 挂失: confirmed by the SMS code sent to the holder's phone; the certificate (and its pair) revoked keyCompromise at once. */
  'certificate.loss_report': { requestId: string; serial: string; revoked: string[]; summary: string };
  'payment.amount_mismatch': { paymentId: string; expectedFen: number; reportedFen: number | null; transactionId: string | null; source: string };
  'payment.duplicate': { paymentId: string; transactionId: string | null; applicationStatus: ApplicationStatus };
  'staff.create': { username: string; displayName: string; roles: string[]; totpPreEnrolled: boolean };
  'staff.disable': StaffChange;
  'staff.enable': StaffChange;
  'staff.roles': StaffChange;
  'staff.totp_reset': StaffChange;
  'staff.totp_enrol': { username: string };
  'staff.login': { username: string; ip: string };
  'staff.logout': { username: string };
  /** Before failed logins were throttled instead (records of that time). */
  'staff.lock': { username: string; lockedUntil: string | undefined };
  /** Failed logins on the account went on long enough to tell the 管理员 (throttle.ts). */
  'staff.login_attack': { username: string; failures: number; addresses: number };
  'staff.login_alert_ack': { username: string };
  'project.create': Record<string, unknown>;
  'project.update': Record<string, unknown>;
  'project.activate': Record<string, unknown>;
  'project.deactivate': Record<string, unknown>;
  'price.add': { kind: string; amountFen: number; effectiveFrom: string };
  'contract_template.add': { version: number; title: string; bodySha256: string };
  'sms_template.add': { code: string; version: number; body: string };
  /** 发票 (entity: the application): each step of an invoice's life, and each mail of it. */
  'invoice.request': InvoiceStep & { type: string; totalFen: number };
  'invoice.issue': InvoiceStep & { invoiceNumber: string; totalFen: number };
  'invoice.fail': InvoiceStep;
  'invoice.retry': InvoiceStep;
  'invoice.cancel': InvoiceStep;
  'invoice.reverse': InvoiceStep & { redInvoiceId: string; reason: string };
  'invoice.buyer_change': { invoiceId: string | null; type: string; title: string; summary: string };
  'invoice.mail': InvoiceStep & { mailId: string; to: string; outcome: 'sent' | 'failed' };
  /** 接入平台 (entity: the platform): registration, changes, its API keys, a webhook sent again. */
  'platform.register': { name: string; webhookUrl: string | null; projectIds: string[]; keyId: string };
  'platform.update': { name: string; contact: string; webhookUrl: string | null; projectIds: string[] };
  'platform.key_rotate': { keyId: string; previousKeys: string[]; previousValidUntil: string };
  'platform.key_revoke': { keyId: string };
  'platform.webhook_resend': { deliveryId: string; eventId: string };
}

interface InvoiceStep extends Summary {
  invoiceId: string;
  colour: 'blue' | 'red';
}

type TransitionActions = { [E in ApplicationEvent as `application.${E}`]: TransitionData };
export type AuditDataOf = AuditData & TransitionActions;
export type AuditAction = keyof AuditDataOf;

/** How the application's timelines name the actions that are not status changes. */
const timelineTitles: Partial<Record<keyof AuditData, string>> = {
  'application.create': '创建申请',
  'contract.sign': '同意签署电子合同',
  'contract.read': '已阅读合同',
  'review.first_approval': '初审通过（待复核）',
  'certificate.issue': '签发证书',
  'certificate.revoke': '吊销证书',
  // Staff timeline only: the applicant's shows statuses, and the reminder changes none.
  'certificate.expiry_reminder': '发送到期提醒',
  'seal.make': '制作电子印章',
  'seal.picture_approve': '申请人确认印章',
  'revocation_request.create': '申请吊销证书',
  'revocation_request.approve': '同意吊销',
  'revocation_request.reject': '不予吊销',
  'usb_key.unlock': 'USB Key 解锁',
  'certificate.loss_report': '证书挂失',
  'invoice.request': '申请开具发票',
  'invoice.issue': '开具发票',
  'invoice.fail': '发票开具失败',
  'invoice.retry': '重新开具发票',
  'invoice.cancel': '取消开具发票',
  'invoice.reverse': '红冲发票',
  'invoice.buyer_change': '修改发票信息',
  'invoice.mail': '发送发票邮件',
};

/** The timeline's title of an action as stored (older records included), or undefined when it shows none. */
export function timelineTitle(action: string): string | undefined {
  const known = (timelineTitles as Record<string, string | undefined>)[action];
  if (known) return known;
  const [entity, event] = action.split('.');
  if (entity === 'application' && event && Object.hasOwn(eventLabels, event)) return eventLabels[event as ApplicationEvent];
  return undefined;
}
