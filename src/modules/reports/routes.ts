/** reports HTTP: the 运营看板 and its exports, for 管理员 and 财务 only. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { file, periodQuery, withErrors } from '../../http/contract/common.ts';
import { requireStaff } from '../../http/session.ts';
import { tableCsv, tableXlsx, XLSX_TYPE } from '../../sheets/table-file.ts';
import { datasetLabels, datasets } from './exports.ts';
import * as answers from './schemas.ts';
import type { ReportsService } from './service.ts';

export const reportRoutes: FastifyPluginAsyncZod<{ reports: ReportsService }> = async (app, { reports }) => {
  app.addHook('preHandler', requireStaff('admin', 'finance'));

  app.get(
    '/api/reports/dashboard',
    {
      schema: {
        tags: ['reports'],
        summary: '运营看板：一段日期（北京时间）的申请、审核与制证时长、收入与退款、证书',
        querystring: periodQuery.and(
          z.object({ waitLimitHours: z.coerce.number({ error: '超时小时数应为数字' }).int('超时小时数应为整数').min(1, '超时小时数至少为 1').max(24 * 90, '超时小时数过大').optional() }),
        ),
        response: withErrors({ 200: answers.dashboard }),
      },
    },
    async (request) => {
      const { from, to, waitLimitHours } = request.query;
      return reports.dashboard({ from, to }, waitLimitHours);
    },
  );

  app.get(
    '/api/reports/export/:dataset',
    {
      schema: {
        tags: ['reports'],
        summary: '导出申请、收款与退款或证书（Excel 或 CSV），合计与运营看板一致',
        params: z.object({ dataset: z.enum(datasets, { error: '可导出的数据为 applications、payments 或 certificates' }) }),
        querystring: periodQuery.and(z.object({ format: z.enum(['xlsx', 'csv'], { error: '导出格式只能是 xlsx 或 csv' }).default('xlsx') })),
        response: withErrors({ 200: file('报表', XLSX_TYPE, 'text/csv') }),
      },
    },
    async (request, reply) => {
      const { dataset } = request.params;
      const { from, to, format } = request.query;
      const table = await reports.exportTable(dataset, { from, to });
      const name = `${datasetLabels[dataset]}-${from}-${to}.${format}`;
      reply.header('cache-control', 'private, no-store').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(Buffer.from(tableCsv(table), 'utf8'));
      return reply.type(XLSX_TYPE).send(await tableXlsx(table));
    },
  );
};
