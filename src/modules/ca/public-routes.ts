/**
 * The CA's public HTTP face: CA certificates, CRLs, the OCSP responder (RFC 6960 POST and GET),
 * and the verifier behind /verify. No login: relying parties and anyone with a file use these.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { file, withErrors } from '../../http/contract/common.ts';
import { verifyResult } from './schemas.ts';
import type { CaService } from './service.ts';
import type { Verifier } from './verify.ts';

const VERIFY_LIMIT = 10 * 1024 * 1024;
const CA_FILE = /^([a-z0-9-]{1,64})\.(crt|cer|der)$/;
const CRL_FILE = /^([a-z0-9-]{1,64})\.crl$/;
const ocspResponse = file('OCSP 响应（DER）', 'application/ocsp-response');
const notFound = () => new AppError('NOT_FOUND', '请求的内容不存在', 404);

export const caPublicRoutes: FastifyPluginAsyncZod<{ ca: CaService; verifier: Verifier }> = async (app, { ca, verifier }) => {
  // DER bodies arrive as they are; a client may send a request of a few KB at most.
  app.addContentTypeParser('application/ocsp-request', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
  await app.register(multipart, { limits: { fileSize: VERIFY_LIMIT, files: 1, fields: 2 } });

  app.get('/ca/:file', { schema: { tags: ['ca'], summary: 'CA 证书（DER）', params: z.object({ file: z.string() }), response: withErrors({ 200: file('CA 证书（DER）', 'application/pkix-cert') }) } }, async (request, reply) => {
    const name = CA_FILE.exec(request.params.file)?.[1];
    const found = name ? ca.caByName(name) : undefined;
    if (!found) throw notFound();
    return reply.type('application/pkix-cert').header('cache-control', 'public, max-age=86400').send(Buffer.from(found.certificate));
  });

  app.get('/crl/:file', { schema: { tags: ['ca'], summary: '证书吊销列表（DER）', params: z.object({ file: z.string() }), response: withErrors({ 200: file('证书吊销列表（DER）', 'application/pkix-crl') }) } }, async (request, reply) => {
    const name = CRL_FILE.exec(request.params.file)?.[1];
    if (!name || !ca.caByName(name)) throw notFound();
    const der = await ca.currentCrl(name);
    return reply.type('application/pkix-crl').header('cache-control', 'public, max-age=300').send(Buffer.from(der));
  });

  app.post('/ocsp', { schema: { tags: ['ca'], summary: 'OCSP（RFC 6960，POST；请求体为 DER 的 application/ocsp-request）', response: withErrors({ 200: ocspResponse }) } }, async (request, reply) => {
    const body = request.body;
    if (!Buffer.isBuffer(body)) throw new AppError('OCSP_FORMAT', '请以 application/ocsp-request 发送 OCSP 请求', 415);
    const response = await ca.responder.respond(new Uint8Array(body));
    return reply.type('application/ocsp-response').send(Buffer.from(response));
  });

  // RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER}. The base64 may contain
  // '/', so the whole rest of the raw URL is the request (decoded by the responder, not the router).
  // Hidden from /docs, which cannot name a wildcard's parameter: the POST above documents the responder.
  app.get('/ocsp/*', { schema: { tags: ['ca'], summary: 'OCSP（RFC 6960，GET）', hide: true, response: withErrors({ 200: ocspResponse }) } }, async (request, reply) => {
    const raw = request.raw.url ?? '';
    const segment = raw.slice(raw.indexOf('/ocsp/') + '/ocsp/'.length).split('?')[0] ?? '';
    const response = await ca.responder.respondToGet(segment);
    return reply.type('application/ocsp-response').header('cache-control', 'public, max-age=300, no-transform').send(Buffer.from(response));
  });

  app.post(
    '/api/verify',
    { schema: { tags: ['ca'], summary: '验证证书、电子印章或签名 PDF（multipart，字段 file，最大 10MB）', response: withErrors({ 200: verifyResult }) }, bodyLimit: VERIFY_LIMIT + 64 * 1024 },
    async (request) => {
      if (!request.isMultipart()) throw new AppError('UPLOAD_FORMAT', '请以文件形式上传要验证的证书、印章或 PDF', 400);
      const file = await request.file();
      if (!file) throw new AppError('FILE_EMPTY', '请选择要验证的文件', 400);
      const data = await file.toBuffer().catch((err: unknown) => {
        if (err instanceof Error && 'code' in err && err.code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new AppError('FILE_TOO_LARGE', '文件过大：可验证的文件最大为 10MB', 413);
        }
        throw err;
      });
      if (data.length === 0) throw new AppError('FILE_EMPTY', '文件为空', 400);
      const result = await verifier.file(new Uint8Array(data));
      if (!result) throw new AppError('VERIFY_UNKNOWN_FORMAT', '无法识别的文件：请上传证书（.cer/.crt/.pem）、电子印章（.esl）或签名 PDF', 400);
      return result;
    },
  );

  app.get(
    '/api/verify/serial/:hex',
    { schema: { tags: ['ca'], summary: '按序列号查询证书状态', params: z.object({ hex: z.string().trim().min(1).max(80) }), response: withErrors({ 200: verifyResult }) } },
    async (request) => {
      if (!/^(0x)?[0-9a-fA-F:\s]+$/.test(request.params.hex)) throw new AppError('SERIAL_FORMAT', '序列号应为十六进制数字', 400);
      return verifier.serial(request.params.hex);
    },
  );
};
