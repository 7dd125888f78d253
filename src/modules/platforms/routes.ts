/**
 * platforms HTTP: the relying platforms' signed API under /api/platform/v1 (every request checked
 * before anything else runs), and the 管理员's 系统管理 → 接入平台 under /api/admin/platforms.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { noContent, withErrors } from '../../http/contract/common.ts';
import { requireStaff, staffOf } from '../../http/session.ts';
import type { PlatformAdmin } from './admin.ts';
import type { CallingPlatform, PlatformApi } from './api.ts';
import {
  platformAnswer,
  platformApplication,
  platformCertificateFile,
  platformCertificateList,
  platformCredentials,
  platformList,
  webhookDeliveryList,
} from './schemas.ts';

export const PLATFORM_API_PREFIX = '/api/platform/v1';
/** The security scheme /docs describes (with the recipe) and each API route names. */
export const PLATFORM_SECURITY = 'platformSignature';

const security = [{ [PLATFORM_SECURITY]: [] }];

export const platformApiRoutes: FastifyPluginAsyncZod<{ api: PlatformApi }> = async (plain, { api }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const callers = new WeakMap<FastifyRequest, CallingPlatform>();
  const caller = (request: FastifyRequest) => {
    const c = callers.get(request);
    if (!c) throw new Error('platform request without a verified caller');
    return c;
  };

  // onRequest: an unsigned request learns nothing, not even how its query should look. The API is
  // read-only (GET): the body signed is empty.
  app.addHook('onRequest', async (request) => {
    const [path = '', query = ''] = splitUrl(request.url);
    const header = request.headers.authorization;
    callers.set(request, await api.authenticate(header, { method: request.method, path, query, body: '' }));
  });

  app.get(
    `${PLATFORM_API_PREFIX}/certificates`,
    {
      schema: {
        tags: ['platform'],
        summary: '证书状态：按统一社会信用代码（该单位的全部证书）或序列号（该证书及其续期链）',
        security,
        querystring: z.object({ uscc: z.string().max(18).optional(), serial: z.string().max(80).optional() }),
        response: withErrors({ 200: platformCertificateList }),
      },
    },
    async (request) => api.certificates(caller(request), request.query),
  );

  app.get(
    `${PLATFORM_API_PREFIX}/certificates/:serial`,
    {
      schema: {
        tags: ['platform'],
        summary: '证书本身（PEM 与 DER base64）及其状态',
        security,
        params: z.object({ serial: z.string().max(80) }),
        response: withErrors({ 200: platformCertificateFile }),
      },
    },
    async (request) => api.certificate(caller(request), request.params.serial),
  );

  app.get(
    `${PLATFORM_API_PREFIX}/applications/:number`,
    {
      schema: {
        tags: ['platform'],
        summary: '申请进度：状态与时间线（除单位名称外不含个人信息）',
        security,
        params: z.object({ number: z.string().max(40) }),
        response: withErrors({ 200: platformApplication }),
      },
    },
    async (request) => api.application(caller(request), request.params.number),
  );
};

/** Path and raw query of a request URL, as the platform sent them. */
function splitUrl(url: string): [string, string] {
  const i = url.indexOf('?');
  return i < 0 ? [url, ''] : [url.slice(0, i), url.slice(i + 1)];
}

const platformFields = z.object({
  name: z.string({ error: '请输入平台名称' }).trim().min(1, '请输入平台名称').max(60, '平台名称不能超过60个字'),
  contact: z.string({ error: '请输入联系人' }).trim().min(1, '请输入联系人及联系方式').max(100, '联系人不能超过100个字'),
  webhookUrl: z
    .string()
    .trim()
    .max(500, '接收地址过长')
    .refine((v) => v === '' || /^https?:\/\/[^\s]+$/.test(v), '接收地址须以 http:// 或 https:// 开头')
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .default(null),
  projectIds: z.array(z.string().max(40), { error: '请选择可查询的项目' }).min(1, '请至少选择一个项目').max(50).transform((ids) => [...new Set(ids)]),
});

const idParams = z.object({ id: z.string() });

export const platformAdminRoutes: FastifyPluginAsyncZod<{ admin: PlatformAdmin }> = async (plain, { admin }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', requireStaff('admin'));

  app.get(
    '/api/admin/platforms',
    { schema: { tags: ['admin'], summary: '接入平台列表（含密钥状态）', response: withErrors({ 200: platformList }) } },
    async () => ({ platforms: await admin.list() }),
  );

  app.post(
    '/api/admin/platforms',
    {
      schema: {
        tags: ['admin'],
        summary: '登记接入平台：返回 API 密钥 ID 与密钥（密钥只显示这一次）',
        body: platformFields,
        response: withErrors({ 201: platformCredentials }),
      },
    },
    async (request, reply) => reply.status(201).send(await admin.register(staffOf(request), request.body)),
  );

  app.put(
    '/api/admin/platforms/:id',
    { schema: { tags: ['admin'], summary: '修改接入平台', params: idParams, body: platformFields, response: withErrors({ 200: platformAnswer }) } },
    async (request) => ({ platform: await admin.update(staffOf(request), request.params.id, request.body) }),
  );

  app.post(
    '/api/admin/platforms/:id/keys',
    {
      schema: {
        tags: ['admin'],
        summary: '轮换密钥：新密钥立即可用（只显示这一次），旧密钥在过渡期内仍然有效',
        params: idParams,
        response: withErrors({ 200: platformCredentials }),
      },
    },
    async (request) => admin.rotateKey(staffOf(request), request.params.id),
  );

  app.post(
    '/api/admin/platforms/:id/keys/:keyId/revoke',
    {
      schema: {
        tags: ['admin'],
        summary: '吊销密钥：立即失效',
        params: idParams.extend({ keyId: z.string().max(40) }),
        response: withErrors({ 200: platformAnswer }),
      },
    },
    async (request) => ({ platform: await admin.revokeKey(staffOf(request), request.params.id, request.params.keyId) }),
  );

  app.get(
    '/api/admin/platforms/:id/deliveries',
    { schema: { tags: ['admin'], summary: 'Webhook 投递记录（最新在前，含每次投递）', params: idParams, response: withErrors({ 200: webhookDeliveryList }) } },
    async (request) => ({ deliveries: await admin.deliveries(request.params.id) }),
  );

  app.post(
    '/api/admin/platforms/:id/deliveries/:deliveryId/resend',
    {
      schema: {
        tags: ['admin'],
        summary: '重新投递一个事件',
        params: idParams.extend({ deliveryId: z.string() }),
        response: withErrors({ 204: noContent }),
      },
    },
    async (request, reply) => {
      await admin.resend(staffOf(request), request.params.id, request.params.deliveryId);
      return reply.status(204).send(null);
    },
  );
};
