/**
 * Security headers on every answer (helmet): a Content-Security-Policy that allows
 * scripts from this origin only — no inline script, no eval — so that an injected <script> or
 * event handler does not run; no framing by other sites; nosniff; the referrer kept to this site;
 * HSTS only on answers that went out over HTTPS (directly or behind a proxy trusted with
 * TRUST_PROXY), since on plain HTTP it means nothing and on a mistaken deployment it would lock
 * browsers out for a year.
 *
 * Styles may be inline: antd writes its styles as <style> elements at run time (CSS-in-JS) and
 * both antd and the pages set `style` attributes; the development pages carry their own <style>.
 * Style injection cannot run code, so the strict part is script-src.
 *
 * The development pages (/dev), the simulators' pages (the WeChat Pay payer page: a plain form
 * post to this origin) and /docs (swagger-ui: scripts and styles from /docs/static, images as
 * data: URLs) need nothing beyond this policy (/docs and /dev/* are loaded in
 * test/e2e/pages-phone-a11y.test.ts, the payer page in the journeys). What needs more gets it
 * on its own answers only: PDFs, which the portal shows in a frame of its own page (the signed
 * contract), may be framed by this origin.
 */
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import fp from 'fastify-plugin';

/** One year, with subdomains: what HSTS preload lists ask for (without `preload`, which is the operator's choice). */
export const HSTS = 'max-age=31536000; includeSubDomains';

const SELF = "'self'";

/** The policy every answer carries unless it is one of the exceptions below. */
export const CSP_DIRECTIVES = {
  defaultSrc: [SELF],
  scriptSrc: [SELF],
  scriptSrcAttr: ["'none'"],
  styleSrc: [SELF, "'unsafe-inline'"],
  // QR codes come as data: URLs; previews of converted scans as blob: URLs.
  imgSrc: [SELF, 'data:', 'blob:'],
  fontSrc: [SELF, 'data:'],
  connectSrc: [SELF],
  // The signed contract is shown in a frame of the portal's own page.
  frameSrc: [SELF],
  objectSrc: ["'none'"],
  baseUri: [SELF],
  formAction: [SELF],
  frameAncestors: ["'none'"],
} as const;

/** A PDF answer may be framed by this origin's pages (the contract step shows the signed contract). */
export const PDF_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; object-src 'self'; frame-ancestors 'self'";

export const securityHeaders = fp(
  async (app: FastifyInstance) => {
    // Built once: the headers are the same on every answer (@fastify/helmet built the middleware
    // anew on each request, some 10 µs each).
    const headers = helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
      // Set below, only over HTTPS.
      strictTransportSecurity: false,
      // The portal's own requests keep their Origin (the CSRF check reads it); other sites get none.
      referrerPolicy: { policy: 'same-origin' },
      xFrameOptions: { action: 'deny' },
    });
    // helmet 8 throws rather than passing an error on.
    app.addHook('onRequest', (request, reply, done) => headers(request.raw, reply.raw, () => done()));

    app.addHook('onSend', async (request, reply, payload) => {
      if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
      const type = reply.getHeader('content-type');
      if (typeof type === 'string' && type.startsWith('application/pdf')) {
        reply.header('content-security-policy', PDF_CSP);
        reply.header('x-frame-options', 'SAMEORIGIN');
      }
      return payload;
    });
  },
  { name: 'certdesk-security-headers' },
);
