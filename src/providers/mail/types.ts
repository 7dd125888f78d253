/**
 * Email as CertDesk sees it: one method that hands a message, attachments included, to a mail server.
 * Real adapter: SMTP through nodemailer (smtp.ts). Simulator: a loopback SMTP server that keeps what
 * it receives in the database (simulator.ts), so the adapter's SMTP dialogue runs in every demo and test.
 */

export interface MailAttachment {
  /** As the recipient's mail program shows it, e.g. 电子发票.pdf. */
  filename: string;
  /** e.g. application/pdf */
  contentType: string;
  content: Buffer;
}

export interface OutgoingMail {
  /** One recipient's address, e.g. caiwu@example.com (the applicant's 发票邮箱). */
  to: string;
  subject: string;
  /** The plain-text body; every mail has one, for clients that show no HTML. */
  text: string;
  html?: string;
  attachments: MailAttachment[];
}

export interface MailSendResult {
  /** The Message-ID header of the mail sent, e.g. <…@certdesk.example>. */
  messageId: string;
}

/**
 * Why a mail did not go: `connection` / `timeout` (the server could not be reached or hung up),
 * `tls`, `auth` (the server refused our login), `rejected` (the server refused the mail),
 * `recipient` (the server refused the address), `invalid_address` (refused before sending),
 * `config` (our own settings), `unknown`.
 */
export type MailErrorCode = 'connection' | 'timeout' | 'tls' | 'auth' | 'rejected' | 'recipient' | 'invalid_address' | 'config' | 'unknown';

/** Thrown for every failure to send; `retryable` says whether the job queue should try again. */
export class MailError extends Error {
  constructor(
    /** In Chinese, for the staff who read why a mail did not go. */
    message: string,
    readonly code: MailErrorCode,
    readonly retryable: boolean,
    /** The SMTP reply code, when the server answered (e.g. 451, 550). */
    readonly smtpCode?: number,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

export interface MailProvider {
  send(mail: OutgoingMail): Promise<MailSendResult>;
}
