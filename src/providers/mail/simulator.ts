/**
 * A loopback mail server standing in for the CA's SMTP relay, so that development, demos and tests
 * run the real adapter (smtp.ts) end to end: a real SMTP dialogue with smtp-server on 127.0.0.1,
 * AUTH PLAIN/LOGIN against the configured user and password, and every mail accepted kept in an
 * outbox (the database in the app, so every instance and a restart see the same mails) that
 * /dev/mail shows. Tests can make it refuse the next messages with a 4xx or 5xx reply, and any
 * recipient in the reserved `.invalid` domain is refused as an unknown mailbox (550 5.1.1).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { AddressObject } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { z } from 'zod';
import type { MailAttachment } from './types.ts';

export interface MailAttachmentInfo {
  filename: string;
  contentType: string;
  size: number;
}

/** What the outbox lists: no bodies, no attachments' bytes. */
export interface ReceivedMailSummary {
  id: string;
  receivedAt: Date;
  /** MAIL FROM and RCPT TO of the SMTP dialogue. */
  envelopeFrom: string;
  envelopeTo: string[];
  /** The From and To headers as the recipient's client shows them, e.g. 某某CA <invoice@example.com>. */
  from: string;
  to: string;
  subject: string;
  messageId: string;
  /** Whether the mail came over TLS (STARTTLS). */
  secured: boolean;
  attachments: MailAttachmentInfo[];
}

/** What the outbox keeps: the summary, the bodies and the message as it came over the wire. */
export interface StoredMail extends ReceivedMailSummary {
  text: string;
  html: string | undefined;
  raw: Buffer;
}

/** A mail as its recipient would open it, attachments decoded. */
export interface ReceivedMail extends Omit<ReceivedMailSummary, 'attachments'> {
  text: string;
  html: string | undefined;
  attachments: MailAttachment[];
}

export interface MailOutbox {
  add(mail: Omit<StoredMail, 'id' | 'receivedAt'>, now: Date): Promise<StoredMail>;
  /** Newest first; with `to`, only mails whose envelope names that recipient. */
  list(limit: number, filter?: { to?: string }): Promise<ReceivedMailSummary[]>;
  get(id: string): Promise<StoredMail | undefined>;
}

/** Outbox for unit tests; keeps at most `capacity` mails. */
export class MemoryMailOutbox implements MailOutbox {
  private readonly mails: StoredMail[] = [];

  constructor(private readonly capacity = 200) {}

  async add(mail: Omit<StoredMail, 'id' | 'receivedAt'>, now: Date): Promise<StoredMail> {
    const stored: StoredMail = { ...mail, id: randomUUID(), receivedAt: new Date(now) };
    this.mails.push(stored);
    if (this.mails.length > this.capacity) this.mails.splice(0, this.mails.length - this.capacity);
    return stored;
  }

  async list(limit: number, filter: { to?: string } = {}): Promise<ReceivedMailSummary[]> {
    const { to } = filter;
    return [...this.mails]
      .reverse()
      .filter((m) => to === undefined || m.envelopeTo.includes(to))
      .slice(0, Math.max(0, limit))
      .map(({ text: _t, html: _h, raw: _r, ...summary }) => summary);
  }

  async get(id: string): Promise<StoredMail | undefined> {
    return this.mails.find((m) => m.id === id);
  }
}

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (value === undefined) return '';
  // Name <address>, unquoted: the way a mail client shows a sender, not the header's encoding.
  return (Array.isArray(value) ? value : [value])
    .flatMap((a) => a.value)
    .map((a) => (a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? '')))
    .join(', ');
}

/** Reads a message as it came over SMTP: headers decoded (RFC 2047/2231), bodies, attachments. */
export async function parseMail(raw: Buffer): Promise<{
  from: string;
  to: string;
  subject: string;
  messageId: string;
  text: string;
  html: string | undefined;
  attachments: MailAttachment[];
}> {
  // simpleParser turns cid: images of the HTML into data: URIs, which the sandboxed view may show.
  // Loaded at the first mail opened, not at every start (a seventh of a second of it).
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(raw, { skipTextToHtml: true });
  return {
    from: addressText(parsed.from),
    to: addressText(parsed.to),
    subject: parsed.subject ?? '',
    messageId: parsed.messageId ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : undefined,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '',
      contentType: a.contentType,
      content: a.content,
    })),
  };
}

/** The stored mail as its recipient would open it. */
export async function openMail(stored: StoredMail): Promise<ReceivedMail> {
  const { attachments } = await parseMail(stored.raw);
  const { raw: _raw, attachments: _info, ...rest } = stored;
  return { ...rest, attachments };
}

export interface MailRefusal {
  /** An SMTP reply code: 4xx (try again later) or 5xx (refused for good). */
  code: number;
  message?: string;
  /** When to refuse: at RCPT TO (the address) or after DATA (the message). Default: data. */
  at?: 'rcpt' | 'data';
}

export interface MailSimulatorOptions {
  outbox: MailOutbox;
  /** 0 = any free port. */
  port: number;
  /** When `port` is taken, listen on any free port instead of failing (`npm start` beside another instance). */
  fallbackToFreePort?: boolean;
  /** The user and password the adapter logs in with; without them AUTH is not offered or needed. */
  credentials?: { user: string; password: string };
  /** Offer STARTTLS with smtp-server's own self-signed certificate (for testing the adapter's STARTTLS path). */
  starttls?: boolean;
  /** Largest message accepted, bytes (SIZE extension); default 25 MB. */
  maxMessageBytes?: number;
  log?: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

export interface MailSimulator {
  /** The port it listens on, on 127.0.0.1. */
  port: number;
  /** Newest first, as a recipient would open them; with `to`, only those sent to that address. */
  received(filter?: { to?: string; limit?: number }): Promise<ReceivedMail[]>;
  /** Refuse the next `count` messages with the given reply. */
  refuseNext(count: number, refusal: MailRefusal): void;
  close(): Promise<void>;
}

const mailbox = z.email();

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function defaultRefusalText(code: number): string {
  return code >= 500 ? '5.7.1 Message rejected (simulated)' : '4.3.0 Temporary failure, try again later (simulated)';
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function listen(server: SMTPServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.server.off('error', onError);
      resolve((server.server.address() as AddressInfo).port);
    };
    server.server.once('error', onError);
    server.server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export async function startMailSimulator(options: MailSimulatorOptions): Promise<MailSimulator> {
  const now = options.now ?? (() => new Date());
  const maxBytes = options.maxMessageBytes ?? 25 * 1024 * 1024;
  const refusals: MailRefusal[] = [];
  const credentials = options.credentials;

  // A refusal is taken by the message it refuses: at RCPT TO the first time one is asked for there.
  const takeRefusal = (at: 'rcpt' | 'data', session: SMTPServerSession): MailRefusal | undefined => {
    const next = refusals[0];
    if (!next || (next.at ?? 'data') !== at) return undefined;
    refusals.shift();
    (session as SMTPServerSession & { refused?: boolean }).refused = true;
    return next;
  };

  const server = new SMTPServer({
    name: 'certdesk-mail-simulator',
    banner: 'CertDesk mail simulator (loopback only)',
    size: maxBytes,
    rejectOversized: true,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: credentials === undefined,
    // Loopback: a password in clear never leaves the machine. STARTTLS only when asked for.
    allowInsecureAuth: true,
    disabledCommands: [...(credentials === undefined ? ['AUTH'] : []), ...(options.starttls ? [] : ['STARTTLS'])],
    logger: false,
    // Loopback: the client is 127.0.0.1, a reverse DNS lookup per connection would only cost time.
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      const ok =
        credentials !== undefined &&
        (auth.method === 'PLAIN' || auth.method === 'LOGIN') &&
        sameSecret(auth.username ?? '', credentials.user) &&
        sameSecret(auth.password ?? '', credentials.password);
      if (!ok) return callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      return callback(null, { user: auth.username });
    },
    onRcptTo(address, session, callback) {
      const refusal = takeRefusal('rcpt', session);
      if (refusal) return callback(smtpError(refusal.code, refusal.message ?? defaultRefusalText(refusal.code)));
      if (!mailbox.safeParse(address.address).success) return callback(smtpError(553, '5.1.3 Bad recipient address syntax'));
      if (/\.invalid$/i.test(address.address)) return callback(smtpError(550, '5.1.1 Mailbox unavailable: no such user'));
      return callback();
    },
    onData(stream, session, callback) {
      void (async () => {
        const raw = await readAll(stream);
        if (stream.sizeExceeded) throw smtpError(552, '5.3.4 Message too big');
        const refusal = (session as SMTPServerSession & { refused?: boolean }).refused ? undefined : takeRefusal('data', session);
        if (refusal) throw smtpError(refusal.code, refusal.message ?? defaultRefusalText(refusal.code));
        const parsed = await parseMail(raw);
        const envelopeFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        const stored = await options.outbox.add(
          {
            envelopeFrom,
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            from: parsed.from,
            to: parsed.to,
            subject: parsed.subject,
            messageId: parsed.messageId,
            secured: session.secure,
            text: parsed.text,
            html: parsed.html,
            attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.length })),
            raw,
          },
          now(),
        );
        options.log?.info({ mailId: stored.id, bytes: raw.length, attachments: stored.attachments.length }, 'mail simulator received a mail');
        return stored.id;
      })().then(
        (id) => callback(null, `2.0.0 OK: queued as ${id}`),
        (err: unknown) => {
          const known = err instanceof Error && typeof (err as { responseCode?: unknown }).responseCode === 'number';
          if (!known) options.log?.warn({ err }, 'mail simulator could not keep a mail');
          // Our own failure (the database) is the server's temporary problem: the sender retries.
          callback(known ? (err as Error) : smtpError(451, '4.3.0 Local error in processing'));
        },
      );
    },
  });
  server.on('error', (err) => options.log?.warn({ err }, 'mail simulator connection error'));

  let port: number;
  try {
    port = await listen(server, options.port);
  } catch (err) {
    if (!(options.fallbackToFreePort && (err as NodeJS.ErrnoException).code === 'EADDRINUSE')) throw err;
    options.log?.warn({ port: options.port }, 'mail simulator port in use, listening on a free port instead');
    port = await listen(server, 0);
  }
  options.log?.info({ port }, 'mail simulator listening on 127.0.0.1');

  return {
    port,
    async received({ to, limit = 50 } = {}) {
      const summaries = await options.outbox.list(limit, to === undefined ? {} : { to });
      const mails: ReceivedMail[] = [];
      for (const summary of summaries) {
        const stored = await options.outbox.get(summary.id);
        if (stored) mails.push(await openMail(stored));
      }
      return mails;
    },
    refuseNext(count, refusal) {
      for (let i = 0; i < count; i += 1) refusals.push(refusal);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
