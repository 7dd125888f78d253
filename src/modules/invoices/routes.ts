/**
 * invoices HTTP: the applicant's 发票 (own applications only: 下载发票, 修改发票信息, 重新发送) and
 * 财务's 发票管理 and 发票台账 in the console.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { wantedInvoiceSchema } from '../../domain/application-form.ts';
import { invoiceStatuses } from '../../domain/invoice.ts';
import { periodBounds } from '../../domain/reports.ts';
import { file, periodQuery, withErrors } from '../../http/contract/common.ts';
import { applicantOf, requireApplicant, requireStaff, staffOf } from '../../http/session.ts';
import { XLSX_TYPE as XLSX } from '../../sheets/table-file.ts';
import { ledgerCsv, ledgerXlsx } from './ledger-export.ts';
import * as answers from './schemas.ts';
import type { InvoicesService } from './service.ts';

const idParams = z.object({ id: z.string() });
const wantedInvoice = wantedInvoiceSchema;
const resendBody = z.object({ email: z.email('邮箱格式不正确').trim().optional() }).default({});

function pdf(reply: import('fastify').FastifyReply, f: { data: Uint8Array; fileName: string }) {
  return reply
    .type('application/pdf')
    .header('cache-control', 'private, no-store')
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.fileName)}`)
    .send(Buffer.from(f.data));
}

export const applicantInvoiceRoutes: FastifyPluginAsyncZod<{ invoices: InvoicesService }> = async (app, { invoices }) => {
  app.addHook('preHandler', requireApplicant);

  app.get('/api/applications/:id/invoices', { schema: { tags: ['invoices'], summary: '发票（开具进度、下载与发送记录）', params: idParams, response: withErrors({ 200: answers.applicantInvoices }) } }, async (request) =>
    invoices.ofApplicant(applicantOf(request), request.params.id),
  );

  app.put(
    '/api/applications/:id/invoice',
    { schema: { tags: ['invoices'], summary: '修改发票信息（发票开具前）', params: idParams, body: wantedInvoice, response: withErrors({ 200: answers.buyerChanged }) } },
    async (request) => invoices.changeBuyer(applicantOf(request), request.params.id, request.body),
  );

  app.get('/api/invoices/:id/pdf', { schema: { tags: ['invoices'], summary: '下载发票（PDF）', params: idParams, response: withErrors({ 200: file('发票 PDF', 'application/pdf') }) } }, async (request, reply) =>
    pdf(reply, await invoices.pdfForApplicant(applicantOf(request), request.params.id)),
  );

  app.post('/api/invoices/:id/resend', { schema: { tags: ['invoices'], summary: '重新发送发票邮件', params: idParams, body: resendBody, response: withErrors({ 200: answers.invoiceMail }) } }, async (request) =>
    invoices.resend(applicantOf(request), request.params.id, request.body.email),
  );
};

export const financeInvoiceRoutes: FastifyPluginAsyncZod<{ invoices: InvoicesService }> = async (app, { invoices }) => {
  app.addHook('preHandler', requireStaff('finance'));

  app.get(
    '/api/finance/invoices',
    {
      schema: {
        tags: ['finance'],
        summary: '发票管理：按状态列出',
        querystring: z.object({ status: z.enum(invoiceStatuses).optional(), search: z.string().trim().max(40).optional() }),
        response: withErrors({ 200: answers.consoleInvoiceList }),
      },
    },
    async (request) => ({ items: await invoices.list({ statuses: request.query.status ? [request.query.status] : undefined, search: request.query.search || undefined }) }),
  );

  app.get('/api/finance/invoices/:id', { schema: { tags: ['finance'], summary: '发票详情', params: idParams, response: withErrors({ 200: answers.consoleInvoiceDetail }) } }, async (request) =>
    invoices.detail(request.params.id),
  );

  app.get('/api/finance/invoices/:id/pdf', { schema: { tags: ['finance'], summary: '下载发票（PDF）', params: idParams, response: withErrors({ 200: file('发票 PDF', 'application/pdf') }) } }, async (request, reply) =>
    pdf(reply, await invoices.pdfForStaff(request.params.id)),
  );

  app.post('/api/finance/invoices/:id/retry', { schema: { tags: ['finance'], summary: '重试（开具失败的发票）', params: idParams, response: withErrors({ 200: answers.invoiceView }) } }, async (request) =>
    invoices.retry(staffOf(request), request.params.id),
  );

  app.post(
    '/api/finance/invoices/:id/reissue',
    { schema: { tags: ['finance'], summary: '重开：红冲原发票，按更正后的信息开具新发票', params: idParams, body: wantedInvoice, response: withErrors({ 200: answers.reissued }) } },
    async (request) => invoices.reissue(staffOf(request), request.params.id, request.body),
  );

  app.post('/api/finance/invoices/:id/resend', { schema: { tags: ['finance'], summary: '重新发送发票邮件', params: idParams, body: resendBody, response: withErrors({ 200: answers.invoiceMail }) } }, async (request) =>
    invoices.resend(staffOf(request), request.params.id, request.body.email),
  );

  app.get('/api/finance/invoice-ledger', { schema: { tags: ['finance'], summary: '发票台账', querystring: periodQuery, response: withErrors({ 200: answers.ledger }) } }, async (request) =>
    invoices.ledger(...periodBounds(request.query)),
  );

  app.get(
    '/api/finance/invoice-ledger/export',
    {
      schema: {
        tags: ['finance'],
        summary: '导出发票台账（Excel 或 CSV）',
        querystring: periodQuery.and(z.object({ format: z.enum(['xlsx', 'csv'], { error: '导出格式只能是 xlsx 或 csv' }).default('xlsx') })),
        response: withErrors({ 200: file('发票台账', XLSX, 'text/csv') }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const ledger = await invoices.ledger(...periodBounds(q));
      const label = `${q.from} 至 ${q.to}`;
      const name = `发票台账-${q.from}-${q.to}.${q.format}`;
      reply.header('cache-control', 'private, no-store').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(Buffer.from(ledgerCsv(ledger, label), 'utf8'));
      return reply.type(XLSX).send(await ledgerXlsx(ledger, label));
    },
  );
};
