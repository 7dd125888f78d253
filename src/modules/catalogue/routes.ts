/**
 * catalogue HTTP for the 管理员: 证书用途 (projects with their extra attachments) and prices. Every
 * route needs the admin role; amounts travel as 元 text with at most two decimals and are kept in fen.
 */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { attachmentLabel, extraAttachmentKinds } from '../../domain/attachments.ts';
import { AppError } from '../../domain/errors.ts';
import { priceKindLabels, priceKinds } from '../../domain/aftersales.ts';
import { formatYuan, parseYuan } from '../../domain/money.ts';
import { withErrors } from '../../http/contract/common.ts';
import { requireStaff, staffOf } from '../../http/session.ts';
import type { CatalogueAdmin, PriceView } from './admin.ts';
import { adminProjectAnswer, adminProjectList, priceAnswer, priceList, type AdminProject, type Price } from './schemas.ts';
import type { Project } from './service.ts';

const extraKind = z.enum(extraAttachmentKinds, { error: '附件类型不正确' });
const extraList = z
  .array(extraKind, { error: '附件类型不正确' })
  .max(extraAttachmentKinds.length)
  .transform((kinds) => [...new Set(kinds)]);

const projectFields = z.object({
  name: z.string({ error: '请输入项目名称' }).trim().min(1, '请输入项目名称').max(60, '项目名称不能超过60个字'),
  description: z.string().trim().max(200, '项目说明不能超过200个字').default(''),
  extraAttachments: z.object({ enterprise: extraList, institution: extraList }, { error: '请选择附加附件' }),
  sortOrder: z.number({ error: '排序须为整数' }).int('排序须为整数').min(0, '排序不能小于0').max(9999, '排序不能大于9999'),
  requiresSecondReview: z.boolean({ error: '请选择是否需要复核' }),
  /** 续期自动审核: an unchanged renewal the registry confirms needs no reviewer. Off unless chosen. */
  renewalAutoReview: z.boolean({ error: '请选择续期是否自动审核' }).default(false),
});
const newProject = projectFields.extend({
  id: z
    .string({ error: '请输入项目标识' })
    .trim()
    .regex(/^[a-z][a-z0-9-]{1,39}$/, '项目标识须为2至40位，以小写字母开头，只含小写字母、数字和连字符'),
});

const present = (p: Project): AdminProject => ({
  id: p.id,
  name: p.name,
  description: p.description,
  extraAttachments: { enterprise: p.extraAttachments.enterprise ?? [], institution: p.extraAttachments.institution ?? [] },
  sortOrder: p.sortOrder,
  active: p.active,
  requiresSecondReview: p.requiresSecondReview,
  renewalAutoReview: p.renewalAutoReview,
});

const priceStateLabels = { current: '当前生效', scheduled: '待生效', past: '已失效' } as const;
const presentPrice = (p: PriceView): Price => ({
  id: p.id,
  kind: p.kind,
  kindLabel: priceKindLabels[p.kind],
  amountFen: p.amountFen,
  amountYuan: formatYuan(p.amountFen),
  effectiveFrom: p.effectiveFrom.toISOString(),
  state: p.state,
  stateLabel: priceStateLabels[p.state],
});

const idParams = z.object({ id: z.string() });

export const catalogueAdminRoutes: FastifyPluginAsyncZod<{ admin: CatalogueAdmin }> = async (plain, { admin }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  // onRequest: a caller without the role learns nothing, not even how a body should look.
  app.addHook('onRequest', requireStaff('admin'));

  app.get(
    '/api/admin/projects',
    {
      schema: {
        tags: ['admin'],
        summary: '证书用途（所属项目）列表，含已停用的项目',
        response: withErrors({ 200: adminProjectList }),
      },
    },
    async () => ({
      projects: (await admin.listProjects()).map(present),
      attachmentKinds: extraAttachmentKinds.map((kind) => ({
        kind,
        enterprise: attachmentLabel(kind, 'enterprise'),
        institution: attachmentLabel(kind, 'institution'),
      })),
    }),
  );

  app.post(
    '/api/admin/projects',
    { schema: { tags: ['admin'], summary: '新增证书用途', body: newProject, response: withErrors({ 201: adminProjectAnswer }) } },
    async (request, reply) => {
      const { id, ...input } = request.body;
      return reply.status(201).send({ project: present(await admin.createProject(staffOf(request), id, input)) });
    },
  );

  app.put(
    '/api/admin/projects/:id',
    { schema: { tags: ['admin'], summary: '修改证书用途', params: idParams, body: projectFields, response: withErrors({ 200: adminProjectAnswer }) } },
    async (request) => ({ project: present(await admin.updateProject(staffOf(request), request.params.id, request.body)) }),
  );

  for (const [verb, active, summary] of [
    ['activate', true, '启用证书用途（重新向申请人提供）'],
    ['deactivate', false, '停用证书用途（不再向申请人提供，已有申请不受影响）'],
  ] as const) {
    app.post(
      `/api/admin/projects/:id/${verb}`,
      { schema: { tags: ['admin'], summary, params: idParams, response: withErrors({ 200: adminProjectAnswer }) } },
      async (request) => ({ project: present(await admin.setProjectActive(staffOf(request), request.params.id, active)) }),
    );
  }

  app.get(
    '/api/admin/prices',
    { schema: { tags: ['admin'], summary: '价格历史（最新生效时间在前）', response: withErrors({ 200: priceList }) } },
    async () => ({ prices: (await admin.priceHistory()).map(presentPrice) }),
  );

  app.post(
    '/api/admin/prices',
    {
      schema: {
        tags: ['admin'],
        summary: '新增价格（立即或在将来某一时间生效；已有价格不可修改）',
        body: z.object({
          kind: z.enum(priceKinds, { error: '请选择价格类型' }),
          amountYuan: z.string({ error: '请输入金额' }).trim().min(1, '请输入金额'),
          effectiveFrom: z.iso.datetime({ offset: true, error: '生效时间格式不正确' }).optional(),
        }),
        response: withErrors({ 201: priceAnswer }),
      },
    },
    async (request, reply) => {
      const fen = parseYuan(request.body.amountYuan);
      if (fen === undefined) throw new AppError('PRICE_INVALID', '金额格式不正确，请输入最多两位小数的元金额，如 195.00');
      const from = request.body.effectiveFrom === undefined ? undefined : new Date(request.body.effectiveFrom);
      return reply.status(201).send({ price: presentPrice(await admin.addPrice(staffOf(request), request.body.kind, fen, from)) });
    },
  );
};
