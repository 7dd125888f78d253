/**
 * payments HTTP: the applicant's 支付 (own applications only), WeChat Pay's notify (no session:
 * its signature is the authentication), and 财务's console API.
 */
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { errorEnvelope, file, imageTypes, noContent, withErrors } from '../../http/contract/common.ts';
import { applicantOf, requireApplicant, requireStaff, staffOf } from '../../http/session.ts';
import { statusChange } from '../applications/schemas.ts';
import * as answers from './schemas.ts';
import type { Finance } from './finance.ts';
import type { PaymentsService } from './service.ts';
import type { WechatPayments } from './wechat.ts';

const idParams = z.object({ id: z.string() });
const UPLOAD_LIMIT = 8 * 1024 * 1024;
export const WECHATPAY_NOTIFY_PATH = '/api/payments/wechat/notify';

async function readUpload(request: FastifyRequest) {
  if (!request.isMultipart()) throw new AppError('UPLOAD_FORMAT', '请以文件形式上传', 400);
  let data: Buffer | undefined;
  let fileName = '';
  const fields: Record<string, string> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      data = await part.toBuffer().catch((err: unknown) => {
        if (err instanceof Error && 'code' in err && err.code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new AppError('FILE_TOO_LARGE', '文件过大（超过8MB），凭证大小须在1MB以内，请压缩后重新上传', 413);
        }
        throw err;
      });
      fileName = part.filename || '未命名';
    } else {
      fields[part.fieldname] = String(part.value ?? '');
    }
  }
  if (!data || data.length === 0) throw new AppError('FILE_EMPTY', '请选择要上传的文件', 400);
  return { data, fileName, fields };
}

export const paymentRoutes: FastifyPluginAsyncZod<{ payments: PaymentsService; wechat: WechatPayments }> = async (app, { payments, wechat }) => {
  await app.register(multipart, { limits: { fileSize: UPLOAD_LIMIT, files: 1, fields: 5 } });
  app.addHook('preHandler', requireApplicant);

  app.get('/api/applications/:id/payment', { schema: { tags: ['payments'], summary: '支付信息', params: idParams, response: withErrors({ 200: answers.paymentOverview }) } }, async (request) =>
    payments.overview(applicantOf(request), request.params.id),
  );

  app.post('/api/applications/:id/payment/bank', { schema: { tags: ['payments'], summary: '银行汇款：确认支付', params: idParams, response: withErrors({ 200: answers.bankChosen }) } }, async (request) =>
    payments.chooseBank(applicantOf(request), request.params.id),
  );

  app.post(
    '/api/applications/:id/payment/bank/voucher',
    { schema: { tags: ['payments'], summary: '上传凭证 + 支付说明 → 确定提交（multipart：file, note）', params: idParams, response: withErrors({ 200: answers.voucherSubmitted }) }, bodyLimit: UPLOAD_LIMIT + 64 * 1024 },
    async (request) => {
      const { data, fileName, fields } = await readUpload(request);
      const note = z
        .string()
        .trim()
        .max(200, '支付说明不能超过200个字')
        .safeParse(fields['note'] ?? '');
      if (!note.success) throw new AppError('VALIDATION', note.error.issues[0]?.message ?? '支付说明不正确', 400);
      return payments.submitVoucher(applicantOf(request), request.params.id, data, fileName, note.data);
    },
  );

  app.post('/api/applications/:id/payment/wechat', { schema: { tags: ['payments'], summary: '微信支付：确认支付（Native 二维码）', params: idParams, response: withErrors({ 200: answers.wechatOrder }) } }, async (request) =>
    wechat.order(applicantOf(request), request.params.id),
  );

  app.get('/api/applications/:id/payment/wechat', { schema: { tags: ['payments'], summary: '微信支付结果（轮询）', params: idParams, response: withErrors({ 200: answers.wechatStatus }) } }, async (request) =>
    wechat.status(applicantOf(request), request.params.id),
  );

  app.post('/api/applications/:id/refund', { schema: { tags: ['payments'], summary: '取消已支付的申请并退款', params: idParams, response: withErrors({ 200: answers.refundRequested }) } }, async (request) => {
    const r = await wechat.cancelPaid(applicantOf(request), request.params.id);
    return { status: r.status, statusLabel: r.statusLabel, refundStatus: r.refund.status };
  });
};

/**
 * WeChat Pay posts here without cookies; the exact bytes are verified, so the body stays a string.
 * The answers follow WeChat Pay's rules: no body when applied, `{ code, message }` to be retried.
 */
export const wechatNotifyRoute: FastifyPluginAsyncZod<{ wechat: WechatPayments }> = async (app, { wechat }) => {
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
  const refusal = answers.wechatNotifyRefusal;
  const schema = {
    tags: ['payments'],
    summary: '微信支付结果通知（由微信支付调用，按微信支付 API v3 验签；应答遵循其规范）',
    response: { 204: noContent, '4xx': z.union([refusal, errorEnvelope]), '5xx': z.union([refusal, errorEnvelope]) },
  };
  app.post(WECHATPAY_NOTIFY_PATH, { schema }, async (request, reply) => {
    const answer = await wechat.notify({ headers: request.headers, rawBody: typeof request.body === 'string' ? request.body : '' });
    // No body: 204 (Fastify sends a 204 without one).
    return reply.status(answer.status).send(answer.body ?? null);
  });
};

export const financeRoutes: FastifyPluginAsyncZod<{ payments: PaymentsService; finance: Finance }> = async (app, { payments, finance }) => {
  await app.register(multipart, { limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 2 } });
  app.addHook('preHandler', requireStaff('finance'));

  app.get('/api/finance/queue', { schema: { tags: ['finance'], summary: '待确认到账', response: withErrors({ 200: answers.financeQueue }) } }, async () => ({ items: await payments.financeQueue() }));

  app.get('/api/finance/payments/:id/voucher', { schema: { tags: ['finance'], summary: '汇款凭证', params: idParams, response: withErrors({ 200: file('汇款凭证图像', ...imageTypes) }) } }, async (request, reply) => {
    const v = await payments.voucher(request.params.id);
    return reply.type(v.contentType).header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(v.data);
  });

  app.post('/api/finance/payments/:id/confirm', { schema: { tags: ['finance'], summary: '确认到账', params: idParams, response: withErrors({ 200: statusChange }) } }, async (request) =>
    payments.confirm(staffOf(request), request.params.id),
  );

  app.post(
    '/api/finance/payments/:id/reject',
    {
      schema: {
        tags: ['finance'],
        summary: '驳回（填写原因）',
        params: idParams,
        body: z.object({ reason: z.string({ error: '请填写驳回原因' }).trim().min(2, '请填写驳回原因（至少2个字）').max(100, '驳回原因不能超过100个字') }),
        response: withErrors({ 200: statusChange }),
      },
    },
    async (request) => payments.reject(staffOf(request), request.params.id, request.body.reason),
  );

  app.get('/api/finance/refunds', { schema: { tags: ['finance'], summary: '待退款', response: withErrors({ 200: answers.refundList }) } }, async () => ({ items: await finance.refunds() }));

  app.post('/api/finance/refunds/:id/complete', { schema: { tags: ['finance'], summary: '退款：微信原路退回，或银行汇回后标记已退款', params: idParams, response: withErrors({ 200: statusChange }) } }, async (request) =>
    finance.completeRefund(staffOf(request), request.params.id),
  );

  app.post('/api/finance/statements', { schema: { tags: ['finance'], summary: '导入银行对账单（CSV）并自动匹配', response: withErrors({ 200: answers.statementImported }) }, bodyLimit: 5 * 1024 * 1024 + 64 * 1024 }, async (request) => {
    if (!request.isMultipart()) throw new AppError('UPLOAD_FORMAT', '请上传 CSV 文件', 400);
    const file = await request.file();
    if (!file) throw new AppError('FILE_EMPTY', '请选择对账单文件', 400);
    const text = (await file.toBuffer()).toString('utf8');
    return finance.importStatement(staffOf(request), text);
  });
};
