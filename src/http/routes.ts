/**
 * The HTTP face of the services: every capability's routes, the API description at /docs, the
 * probes, and the portal's files. Cross-cutting parts (error envelope, session and CSRF) are
 * registered before any route so they apply to all.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import type { CaModule } from '../modules/ca/index.ts';
import { applicationRoutes, consoleApplicationRoutes } from '../modules/applications/routes.ts';
import { authRoutes } from '../modules/auth/routes.ts';
import { caPublicRoutes } from '../modules/ca/public-routes.ts';
import { applicantCaRoutes, productionCaRoutes } from '../modules/ca/routes.ts';
import { usbKeyUnlockRoutes } from '../modules/usb-key-unlock/routes.ts';
import { catalogueAdminRoutes } from '../modules/catalogue/routes.ts';
import { contractAdminRoutes } from '../modules/contracts/routes.ts';
import { smsTemplateAdminRoutes } from '../modules/notifications/routes.ts';
import { WECHATPAY_NOTIFY_PATH, financeRoutes, paymentRoutes, wechatNotifyRoute } from '../modules/payments/routes.ts';
import { productionRoutes, receiptRoutes } from '../modules/production/routes.ts';
import { applicantInvoiceRoutes, financeInvoiceRoutes } from '../modules/invoices/routes.ts';
import { reportRoutes } from '../modules/reports/routes.ts';
import { reviewRoutes } from '../modules/review/routes.ts';
import { PLATFORM_SECURITY, platformAdminRoutes, platformApiRoutes } from '../modules/platforms/routes.ts';
import { signingRecipe } from '../modules/platforms/recipe.ts';
import { DEV_WEBHOOK_RECEIVER_PATH } from '../dev/webhook-receiver.ts';
import { staffRoutes } from '../modules/staff/routes.ts';
import type { Services } from '../services.ts';
import { registerNotFound } from './errors.ts';
import { servePortal } from './portal.ts';
import { securityHeaders } from './security-headers.ts';
import { registerProbes, type ReadinessChecks } from './probes.ts';
import { sessionPlugin } from './session.ts';
import { createAnswerCache } from './answer-cache.ts';
import type { ChangeFeed } from '../db/change-feed.ts';

const webDist = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface RoutesOptions {
  config: Config;
  services: Services;
  ca: CaModule;
  clock: () => Date;
  probes: ReadinessChecks;
  /** What was written, for the answers kept (answer-cache.ts). */
  changes: ChangeFeed;
}

/** Before the routes: the API description, cookies and the session (with its CSRF check). */
export async function registerFoundations(app: FastifyInstance, { config, services }: Pick<RoutesOptions, 'config' | 'services'>): Promise<void> {
  // First, so that every route registered after it carries the headers.
  await app.register(securityHeaders);
  await app.register(swagger, {
    openapi: {
      info: { title: 'CertDesk API', description: '数字证书在线受理平台接口', version: '0.1.0' },
      tags: [{ name: 'platform', description: `接入平台接口 / Relying platforms' API\n\n${signingRecipe}` }],
      components: {
        securitySchemes: { [PLATFORM_SECURITY]: { type: 'apiKey', in: 'header', name: 'Authorization', description: signingRecipe } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(cookie);
  await app.register(sessionPlugin, {
    auth: services.auth,
    cookieSecure: config.cookieSecure,
    csrfExemptPrefixes: ['/sim/', WECHATPAY_NOTIFY_PATH, DEV_WEBHOOK_RECEIVER_PATH],
  });
}

export async function registerRoutes(app: FastifyInstance, { config, services: s, ca, clock, probes, changes }: RoutesOptions): Promise<void> {
  registerProbes(app, probes);
  // The holder's lists, 我的申请 and 证书与印章, kept per account while nothing they show changes.
  const answerCache = createAnswerCache({ changes, clock });
  await app.register(authRoutes, { auth: s.auth });
  await app.register(staffRoutes, { staff: s.staff });
  await app.register(applicationRoutes, {
    applications: s.applications,
    catalogue: s.catalogue,
    listDetails: {
      bankInstructionsOf: (rows) => s.payments.bankInstructionsOf(rows),
      sealAwaitedAmong: (rows) => ca.seals.awaitedAmong(rows),
      expiryAmong: (rows) => ca.ca.expiryAmong(rows.map((r) => r.id), config.renewal),
      invoicesAmong: (ids) => s.invoices.summariesOf(ids),
    },
    answerCache,
  });
  await app.register(consoleApplicationRoutes, { applications: s.applications });
  await app.register(reviewRoutes, { review: s.review, attachments: s.attachments, clock });
  await app.register(paymentRoutes, { payments: s.payments, wechat: s.wechat });
  await app.register(wechatNotifyRoute, { wechat: s.wechat });
  await app.register(financeRoutes, { payments: s.payments, finance: s.finance });
  await app.register(applicantInvoiceRoutes, { invoices: s.invoices });
  await app.register(financeInvoiceRoutes, { invoices: s.invoices });
  await app.register(reportRoutes, { reports: s.reports });
  await app.register(catalogueAdminRoutes, { admin: s.admin.catalogue });
  await app.register(contractAdminRoutes, { admin: s.admin.contracts });
  await app.register(platformAdminRoutes, { admin: s.platforms.admin });
  await app.register(platformApiRoutes, { api: s.platforms.api });
  await app.register(smsTemplateAdminRoutes, { admin: s.admin.smsTemplates, signName: config.sms.signName });
  await app.register(productionRoutes, { production: s.production });
  await app.register(receiptRoutes, { production: s.production });
  await app.register(caPublicRoutes, { ca: ca.ca, verifier: ca.verifier });
  await app.register(productionCaRoutes, { ca: ca.ca, seals: ca.seals, revocations: s.revocations, clock });
  await app.register(applicantCaRoutes, {
    ca: ca.ca,
    seals: ca.seals,
    revocations: s.revocations,
    lossReports: s.lossReports,
    clock,
    onlineRenewal: ca.onlineRenewal,
    renewalPolicy: config.renewal,
    renewalsUnderWay: s.renewalsUnderWay,
    answerCache,
  });
  await app.register(usbKeyUnlockRoutes, { unlock: s.unlock });
}

/** Last: the portal's built files, and the answer for every path nothing else served. */
export async function registerPortal(app: FastifyInstance): Promise<void> {
  const portalBuilt = existsSync(webDist);
  if (portalBuilt) await servePortal(app, webDist);
  registerNotFound(app, portalBuilt);
}
