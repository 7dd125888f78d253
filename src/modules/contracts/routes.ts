/**
 * contracts HTTP for the 管理员: the service contract's versions, one version's text, a new version.
 * The placeholders a body may use come with the list, so the console checks and previews as the
 * administrator types; the server checks again.
 */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contractPlaceholders } from '../../domain/templates.ts';
import { withErrors } from '../../http/contract/common.ts';
import { requireStaff, staffOf } from '../../http/session.ts';
import type { ContractAdmin, ContractTemplate } from './admin.ts';
import { contractTemplateAnswer, contractVersions, type ContractTemplateView } from './schemas.ts';

const present = (t: ContractTemplate): ContractTemplateView => ({
  version: t.version,
  title: t.title,
  body: t.body,
  createdAt: t.createdAt.toISOString(),
});

export const contractAdminRoutes: FastifyPluginAsyncZod<{ admin: ContractAdmin }> = async (plain, { admin }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', requireStaff('admin'));

  app.get(
    '/api/admin/contract-templates',
    {
      schema: {
        tags: ['admin'],
        summary: '合同模板版本列表（最新版本在前）及可用占位符',
        response: withErrors({ 200: contractVersions }),
      },
    },
    async () => ({
      versions: (await admin.versions()).map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
      placeholders: Object.entries(contractPlaceholders).map(([name, p]) => ({ name, label: p.label, sample: p.sample })),
    }),
  );

  app.get(
    '/api/admin/contract-templates/:version',
    {
      schema: {
        tags: ['admin'],
        summary: '查看合同模板某一版本',
        params: z.object({ version: z.coerce.number({ error: '版本号不正确' }).int('版本号不正确').positive('版本号不正确') }),
        response: withErrors({ 200: contractTemplateAnswer }),
      },
    },
    async (request) => ({ template: present(await admin.version(request.params.version)) }),
  );

  app.post(
    '/api/admin/contract-templates',
    {
      schema: {
        tags: ['admin'],
        summary: '新增合同模板版本（此后展示给申请人的合同使用新版本，已签署的合同保留原版本）',
        body: z.object({
          title: z.string({ error: '请输入合同标题' }),
          body: z.string({ error: '请输入合同正文' }),
        }),
        response: withErrors({ 201: contractTemplateAnswer }),
      },
    },
    async (request, reply) =>
      reply.status(201).send({ template: present(await admin.addVersion(staffOf(request), request.body.title, request.body.body)) }),
  );
};
