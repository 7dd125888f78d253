/**
 * The real mail adapter: SMTP submission through nodemailer (RFC 5321 with AUTH, implicit TLS on
 * 465 or STARTTLS on 587). It classifies every failure as retryable or not — the job queue retries
 * what the server may accept later (no connection, 4xx) and gives up on what it refused for good
 * (5xx, a bad address) — and never puts the password in a message or a log.
 */
import type { ConnectionOptions } from 'node:tls';
import { createTransport, type Mail } from 'nodemailer';
import { z } from 'zod';
import { MailError, type MailProvider, type MailSendResult, type OutgoingMail } from './types.ts';

/** tls: TLS from the first byte (port 465). starttls: plain, then STARTTLS, refused without it (587). none: loopback only. */
export type MailSecurity = 'tls' | 'starttls' | 'none';

export interface SmtpMailOptions {
  host: string;
  port: number;
  security: MailSecurity;
  /** Without a user the server is used without AUTH (a relay that trusts our address). */
  user?: string | undefined;
  password?: string | undefined;
  /** The From header, e.g. "某某CA <invoice@example.com>". */
  from: string;
  /** Extra TLS settings, e.g. `{ ca }` for a relay with a private certificate. */
  tls?: ConnectionOptions;
  /** Milliseconds to connect, to wait for the greeting, and of silence within a dialogue. */
  timeoutsMs?: { connection?: number; greeting?: number; socket?: number };
  /** The name we give in EHLO; nodemailer's default is this machine's hostname. */
  clientName?: string;
}

const address = z.email();

/** The error codes nodemailer attaches, see nodemailer's errors.ts. */
/** Certificate and handshake failures of node:tls, as `originalCode` of an ESOCKET. */
const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|ALTNAME/;

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'EPROXY', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

interface NodemailerFailure {
  code?: unknown;
  /** The socket's own code that nodemailer replaced with ESOCKET, e.g. ECONNREFUSED, CERT_HAS_EXPIRED. */
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  errno?: unknown;
}

function reply(err: NodemailerFailure): string {
  // The server's own words (e.g. "550 5.1.1 mailbox unavailable"), one line; never our request.
  return typeof err.response === 'string' ? err.response.replace(/\s+/g, ' ').trim().slice(0, 300) : '';
}

/**
 * Maps what nodemailer threw to a MailError. RFC 5321: a 4yz reply is transient, a 5yz permanent;
 * 503 (bad sequence) and 421 (service closing) are about the session, not the mail, so a new
 * attempt may pass. Failures without a reply (no connection, dropped, timed out) are transient.
 */
export function classifySmtpError(err: unknown, server: string): MailError {
  const failure: NodemailerFailure = typeof err === 'object' && err !== null ? (err as NodemailerFailure) : {};
  const code = typeof failure.code === 'string' ? failure.code : '';
  const socketCode = typeof failure.originalCode === 'string' ? failure.originalCode : '';
  const smtpCode = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
  const words = reply(failure);

  if (smtpCode !== undefined && smtpCode >= 400 && smtpCode < 600) {
    const permanent = smtpCode >= 500 && smtpCode !== 503;
    if (code === 'EAUTH') {
      return new MailError(`邮件服务器拒绝登录（${smtpCode}）：请检查 MAIL_SMTP_USER 和 MAIL_SMTP_PASSWORD。${words}`, 'auth', !permanent, smtpCode);
    }
    const kind = code === 'EENVELOPE' && typeof failure.command === 'string' && /^RCPT/i.test(failure.command) ? 'recipient' : 'rejected';
    const what = kind === 'recipient' ? '邮件服务器拒收该收件地址' : '邮件服务器拒收该邮件';
    const advice = permanent ? '' : '，稍后将重试';
    return new MailError(`${what}（${smtpCode}${advice}）：${words}`, kind, !permanent, smtpCode);
  }
  if (code === 'ETLS' || TLS_FAILURE.test(socketCode)) {
    const why = socketCode ? `（${socketCode}）` : '';
    return new MailError(`与邮件服务器 ${server} 建立 TLS 加密失败${why}：请检查 MAIL_SMTP_SECURE 和服务器证书`, 'tls', false);
  }
  if (code === 'ETIMEDOUT') return new MailError(`连接邮件服务器 ${server} 超时，稍后将重试`, 'timeout', true);
  if (CONNECTION_CODES.has(code)) return new MailError(`无法连接邮件服务器 ${server}，稍后将重试`, 'connection', true);
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return new MailError(`邮件服务器登录失败：请检查 MAIL_SMTP_USER 和 MAIL_SMTP_PASSWORD，以及服务器是否支持 AUTH`, 'auth', false);
  }
  if (code === 'EENVELOPE') return new MailError(`邮件服务器不接受该发件或收件地址：${words}`, 'recipient', false, smtpCode);
  if (code === 'ECONFIG') return new MailError('邮件发送配置有误', 'config', false);
  // An answer we did not expect (EPROTOCOL …) or a failure of our own: worth one more try.
  return new MailError(`发送邮件失败，稍后将重试（${code || 'unknown'}）`, 'unknown', true, smtpCode);
}

export class SmtpMailProvider implements MailProvider {
  private readonly transport: Mail;
  private readonly server: string;

  constructor(private readonly options: SmtpMailOptions) {
    this.server = `${options.host}:${options.port}`;
    if (options.user !== undefined && options.password === undefined) throw new MailError('设置了 MAIL_SMTP_USER 时须同时设置 MAIL_SMTP_PASSWORD', 'config', false);
    const timeouts = options.timeoutsMs ?? {};
    this.transport = createTransport({
      host: options.host,
      port: options.port,
      secure: options.security === 'tls',
      requireTLS: options.security === 'starttls',
      // Loopback without TLS: do not even try STARTTLS.
      ignoreTLS: options.security === 'none',
      ...(options.user !== undefined ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.clientName ? { name: options.clientName } : {}),
      connectionTimeout: timeouts.connection ?? 10_000,
      greetingTimeout: timeouts.greeting ?? 10_000,
      socketTimeout: timeouts.socket ?? 60_000,
      // Content is always in memory: a path or URL in a mail must never be read or fetched.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
      debug: false,
    });
  }

  async send(mail: OutgoingMail): Promise<MailSendResult> {
    const to = mail.to.trim();
    if (!address.safeParse(to).success) throw new MailError(`收件邮箱地址无效：${to}`, 'invalid_address', false);
    let info: { messageId?: unknown };
    try {
      info = (await this.transport.sendMail({
        from: this.options.from,
        to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html !== undefined ? { html: mail.html } : {}),
        attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      })) as { messageId?: unknown };
    } catch (err) {
      throw classifySmtpError(err, this.server);
    }
    return { messageId: typeof info.messageId === 'string' ? info.messageId : '' };
  }

  /** Asks the server to greet us and accept our login, e.g. at start-up or from a health check. */
  async verify(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (err) {
      throw classifySmtpError(err, this.server);
    }
  }

  close(): void {
    this.transport.close();
  }
}
