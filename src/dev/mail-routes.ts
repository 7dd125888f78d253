/**
 * /dev/mail, only outside production: what the mail simulator received (all instances share the
 * outbox), one mail opened, its HTML body served on its own under a CSP sandbox, its attachments
 * and its raw source to download.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { openMail, type MailOutbox } from '../providers/mail/simulator.ts';
import { DEV_MAIL_PATH, renderMailHtml, renderMailListHtml, renderMailNotFoundHtml } from './mail-page.ts';

export interface DevMailRoutesOptions {
  outbox: MailOutbox;
  /** This instance's simulator port, shown on the list (known once it listens). */
  smtpPort?: () => number | undefined;
}

/** The pages: our own markup, a frame of our own origin, nothing else. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'none'";
/** A mail's HTML: shown, never run; no request leaves the frame (cid: images arrive as data: URIs). */
const MAIL_HTML_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'";
/** Downloads: never rendered as a page of ours. */
const DOWNLOAD_CSP = "sandbox; default-src 'none'";

const mailParams = z.object({ id: z.string() });
const attachmentParams = z.object({ id: z.string(), index: z.coerce.number().int().min(0) });
const TOKEN_TYPE = /^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/i;

function page(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .send(html);
}

function download(reply: FastifyReply, filename: string, contentType: string, content: Buffer): FastifyReply {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'download';
  return reply
    .type(TOKEN_TYPE.test(contentType) ? contentType : 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`)
    .header('cache-control', 'no-store')
    .header('content-security-policy', DOWNLOAD_CSP)
    .header('x-content-type-options', 'nosniff')
    .send(content);
}

export const devMailRoutes: FastifyPluginAsync<DevMailRoutesOptions> = async (app, { outbox, smtpPort }) => {
  app.get(DEV_MAIL_PATH, { schema: { hide: true } }, async (_request, reply) => page(reply, renderMailListHtml(await outbox.list(200), smtpPort?.())));

  app.get(`${DEV_MAIL_PATH}/:id`, { schema: { hide: true } }, async (request, reply) => {
    const { id } = mailParams.parse(request.params);
    const mail = await outbox.get(id);
    return mail ? page(reply, renderMailHtml(mail)) : page(reply, renderMailNotFoundHtml(), 404);
  });

  app.get(`${DEV_MAIL_PATH}/:id/html`, { schema: { hide: true } }, async (request, reply) => {
    const { id } = mailParams.parse(request.params);
    const mail = await outbox.get(id);
    if (!mail || mail.html === undefined) return page(reply, renderMailNotFoundHtml(), 404);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', MAIL_HTML_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(mail.html);
  });

  app.get(`${DEV_MAIL_PATH}/:id/raw`, { schema: { hide: true } }, async (request, reply) => {
    const { id } = mailParams.parse(request.params);
    const mail = await outbox.get(id);
    if (!mail) return page(reply, renderMailNotFoundHtml(), 404);
    return download(reply, `mail-${mail.id}.eml`, 'message/rfc822', mail.raw);
  });

  app.get(`${DEV_MAIL_PATH}/:id/attachments/:index`, { schema: { hide: true } }, async (request, reply) => {
    const parsed = attachmentParams.safeParse(request.params);
    const stored = parsed.success ? await outbox.get(parsed.data.id) : undefined;
    const attachment = stored && parsed.success ? (await openMail(stored)).attachments[parsed.data.index] : undefined;
    if (!attachment) return page(reply, renderMailNotFoundHtml(), 404);
    return download(reply, attachment.filename || `attachment-${parsed.data?.index ?? 0}`, attachment.contentType, attachment.content);
  });
};
