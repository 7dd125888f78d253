/**
 * notifications HTTP for the 管理员: the SMS templates with their current text and variables, one
 * template's history, a new version. The 【签名】 is not part of a text: the gateway adds it.
 */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { smsTemplateSpecs, type SmsTemplateCode } from '../../domain/templates.ts';
import { withErrors } from '../../http/contract/common.ts';
import { requireStaff, staffOf } from '../../http/session.ts';
import { smsHistory, smsTemplates, smsVersionAnswer, type SmsVersion } from './schemas.ts';
import type { SmsTemplateAdmin, SmsTemplateRow } from './templates.ts';

const codes = Object.keys(smsTemplateSpecs) as [SmsTemplateCode, ...SmsTemplateCode[]];
const codeParams = z.object({ code: z.enum(codes, { error: '短信模板不存在' }) });
const present = (r: SmsTemplateRow): SmsVersion => ({
  code: r.code,
  version: r.version,
  body: r.body,
  createdAt: r.createdAt.toISOString(),
});

export const smsTemplateAdminRoutes: FastifyPluginAsyncZod<{ admin: SmsTemplateAdmin; signName: string }> = async (plain, { admin, signName }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', requireStaff('admin'));

  app.get(
    '/api/admin/sms-templates',
    {
      schema: {
        tags: ['admin'],
        summary: '短信模板列表（当前版本、变量及示例值）',
        response: withErrors({ 200: smsTemplates }),
      },
    },
    async () => ({
      signName,
      templates: (await admin.list()).map((t) => ({
        code: t.code,
        label: t.label,
        variables: Object.entries(smsTemplateSpecs[t.code].variables).map(([name, sample]) => ({ name, sample })),
        current: t.current ? present(t.current) : null,
      })),
    }),
  );

  app.get(
    '/api/admin/sms-templates/:code',
    { schema: { tags: ['admin'], summary: '短信模板历史版本（最新在前）', params: codeParams, response: withErrors({ 200: smsHistory }) } },
    async (request) => ({ versions: (await admin.history(request.params.code)).map(present) }),
  );

  app.post(
    '/api/admin/sms-templates/:code',
    {
      schema: {
        tags: ['admin'],
        summary: '新增短信模板版本（下一条此类短信即使用新版本）',
        params: codeParams,
        body: z.object({ body: z.string({ error: '请输入短信内容' }) }),
        response: withErrors({ 201: smsVersionAnswer }),
      },
    },
    async (request, reply) =>
      reply.status(201).send({ template: present(await admin.addVersion(staffOf(request), request.params.code, request.body.body)) }),
  );
};
