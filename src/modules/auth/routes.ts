/** auth HTTP: 获取验证码, 注册/登录, the current session, 退出. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { maskPhone } from '../../domain/phone.ts';
import { noContent, withErrors } from '../../http/contract/common.ts';
import { SESSION_COOKIE, requireApplicant } from '../../http/session.ts';
import { applicantSession, smsCodeSent } from './schemas.ts';
import type { AuthService } from './service.ts';

const phone = z
  .string({ error: '请输入手机号码' })
  .trim()
  .regex(/^1[3-9]\d{9}$/, '请输入正确的手机号码');

export const authRoutes: FastifyPluginAsyncZod<{ auth: AuthService }> = async (app, { auth }) => {
  const context = (ip: string, ua: string | undefined) => ({ ip, userAgent: ua ?? '' });

  app.post(
    '/api/auth/sms-code',
    {
      schema: {
        tags: ['auth'],
        summary: '获取验证码',
        body: z.object({ phone }),
        response: withErrors({ 200: smsCodeSent }),
      },
    },
    async (request) => auth.requestCode(request.body.phone, context(request.ip, request.headers['user-agent'])),
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: '注册/登录（手机号码 + 验证码）',
        body: z.object({
          phone,
          code: z.string({ error: '请输入验证码' }).trim().regex(/^\d{6}$/, '请输入6位数字验证码'),
        }),
        response: withErrors({ 200: applicantSession }),
      },
    },
    async (request, reply) => {
      const { token, session } = await auth.login(request.body.phone, request.body.code, {
        ...context(request.ip, request.headers['user-agent']),
        previousToken: request.cookies[SESSION_COOKIE],
      });
      app.sessionCookie.set(request, reply, token);
      return {
        principal: { kind: 'applicant' as const, id: session.principal.id, phoneMasked: maskPhone(request.body.phone) },
        csrfToken: session.csrfToken,
      };
    },
  );

  app.get(
    '/api/auth/session',
    {
      schema: { tags: ['auth'], summary: '当前登录状态', response: withErrors({ 200: applicantSession }) },
      preHandler: requireApplicant,
    },
    async (request) => {
      const session = request.session!;
      const p = session.principal;
      if (p.kind !== 'applicant') throw new Error('unreachable: requireApplicant');
      return { principal: { kind: 'applicant' as const, id: p.id, phoneMasked: maskPhone(p.phone) }, csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: '退出', response: withErrors({ 204: noContent }) } },
    async (request, reply) => {
      if (request.session) await auth.logout(request.session.tokenHash);
      app.sessionCookie.clear(reply);
      return reply.status(204).send(null);
    },
  );
};
