/**
 * staff HTTP: 员工登录 (password, then TOTP or enrolment), the current staff session, 退出, and the
 * 管理员's account management. Login routes need no session; the rest need a staff session, and
 * account management the admin role.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { staffRoles } from '../../domain/principal.ts';
import { noContent, withErrors } from '../../http/contract/common.ts';
import { SESSION_COOKIE, requireStaff, staffOf } from '../../http/session.ts';
import { loginAlertList, passwordStep, staffAccountAnswer, staffAccountList, staffSession } from './schemas.ts';
import type { StaffService } from './service.ts';
import { DEVICE_COOKIE } from './throttle.ts';

/** A browser that completed a login stays known this long after its last one. */
const DEVICE_COOKIE_DAYS = 180;

const roleKey = z.enum(staffRoles);

const ticketStep = z.object({
  ticket: z.string({ error: '登录已超时，请重新输入用户名和密码' }).min(1, '登录已超时，请重新输入用户名和密码'),
  code: z.string({ error: '请输入动态验证码' }).trim().regex(/^\d{6}$/, '请输入6位数字动态验证码'),
});

const roles = z.array(roleKey, { error: '请选择角色' }).min(1, '请至少选择一个角色');
const idParams = z.object({ id: z.string() });

export const staffRoutes: FastifyPluginAsyncZod<{ staff: StaffService }> = async (app, { staff }) => {
  const loginContext = (request: FastifyRequest) => ({
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? '',
    previousToken: request.cookies[SESSION_COOKIE],
    deviceToken: request.cookies[DEVICE_COOKIE],
  });

  app.post(
    '/api/staff/login',
    {
      schema: {
        tags: ['staff'],
        summary: '员工登录：用户名和密码',
        body: z.object({
          username: z.string({ error: '请输入用户名' }).trim().min(1, '请输入用户名').max(64, '用户名或密码错误'),
          password: z.string({ error: '请输入密码' }).min(1, '请输入密码').max(256, '用户名或密码错误'),
        }),
        response: withErrors({ 200: passwordStep }),
      },
    },
    async (request) => staff.passwordLogin(request.body.username, request.body.password, { ip: request.ip, deviceToken: request.cookies[DEVICE_COOKIE] }),
  );

  // The second step: a code from the bound authenticator, or the first code of a new one.
  const secondSteps = [
    { url: '/api/staff/login/totp', summary: '员工登录：动态验证码', run: staff.totpLogin },
    { url: '/api/staff/enrol', summary: '首次登录：绑定身份验证器并登录', run: staff.enrol },
  ];
  for (const { url, summary, run } of secondSteps) {
    app.post(
      url,
      {
        schema: {
          tags: ['staff'],
          summary,
          body: ticketStep,
          response: withErrors({ 200: staffSession }),
        },
      },
      async (request, reply) => {
        const { token, deviceToken, session, profile: p } = await run(request.body.ticket, request.body.code, loginContext(request));
        app.sessionCookie.set(request, reply, token);
        // This browser is known from now on: failures elsewhere do not slow its logins down.
        app.sessionCookie.setLasting(request, reply, { name: DEVICE_COOKIE, value: deviceToken, path: '/api/staff', maxAgeSeconds: DEVICE_COOKIE_DAYS * 86_400 });
        return { principal: { kind: 'staff' as const, ...p }, csrfToken: session.csrfToken };
      },
    );
  }

  app.get(
    '/api/staff/session',
    {
      schema: { tags: ['staff'], summary: '当前员工登录状态', response: withErrors({ 200: staffSession }) },
      preHandler: requireStaff(...staffRoles),
    },
    async (request) => {
      const p = await staff.profile(staffOf(request).id);
      if (!p) throw new AppError('UNAUTHENTICATED', '请先登录', 401);
      return { principal: { kind: 'staff' as const, ...p }, csrfToken: request.session!.csrfToken };
    },
  );

  app.post(
    '/api/staff/logout',
    { schema: { tags: ['staff'], summary: '退出', response: withErrors({ 204: noContent }) } },
    async (request, reply) => {
      if (request.session) await staff.logout(request.session);
      app.sessionCookie.clear(reply);
      return reply.status(204).send(null);
    },
  );

  await app.register(async (plain) => {
    const admin = plain.withTypeProvider<ZodTypeProvider>();
    // onRequest, after the session plugin's: a caller without the role learns nothing, not even
    // how the body should look.
    admin.addHook('onRequest', requireStaff('admin'));
    const withAccount = withErrors({ 200: staffAccountAnswer });

    admin.get(
      '/api/staff/accounts',
      { schema: { tags: ['staff'], summary: '员工账户列表', response: withErrors({ 200: staffAccountList }) } },
      async () => ({ accounts: await staff.list() }),
    );

    admin.post(
      '/api/staff/accounts',
      {
        schema: {
          tags: ['staff'],
          summary: '新建员工账户',
          body: z.object({
            username: z.string({ error: '请输入用户名' }).trim().min(1, '请输入用户名'),
            displayName: z.string({ error: '请输入显示名' }).trim().min(1, '请输入显示名'),
            password: z.string({ error: '请输入密码' }).min(1, '请输入密码'),
            roles,
          }),
          response: withErrors({ 201: staffAccountAnswer }),
        },
      },
      async (request, reply) => reply.status(201).send({ account: await staff.create(staffOf(request), request.body) }),
    );

    admin.post(
      '/api/staff/accounts/:id/disable',
      { schema: { tags: ['staff'], summary: '停用员工账户（立即退出其所有会话）', params: idParams, response: withAccount } },
      async (request) => ({ account: await staff.disable(staffOf(request), request.params.id) }),
    );

    admin.post(
      '/api/staff/accounts/:id/enable',
      { schema: { tags: ['staff'], summary: '启用员工账户（同时解除陌生来源的登录限制）', params: idParams, response: withAccount } },
      async (request) => ({ account: await staff.enable(staffOf(request), request.params.id) }),
    );

    admin.put(
      '/api/staff/accounts/:id/roles',
      { schema: { tags: ['staff'], summary: '设置员工角色', params: idParams, body: z.object({ roles }), response: withAccount } },
      async (request) => ({ account: await staff.setRoles(staffOf(request), request.params.id, request.body.roles) }),
    );

    admin.post(
      '/api/staff/accounts/:id/reset-totp',
      { schema: { tags: ['staff'], summary: '重置动态验证码（下次登录时重新绑定）', params: idParams, response: withAccount } },
      async (request) => ({ account: await staff.resetTotp(staffOf(request), request.params.id) }),
    );

    admin.get(
      '/api/staff/login-alerts',
      { schema: { tags: ['staff'], summary: '员工账户的持续登录失败提醒（未处理的）', response: withErrors({ 200: loginAlertList }) } },
      async () => ({ alerts: await staff.loginAlerts() }),
    );

    admin.post(
      '/api/staff/login-alerts/:id/acknowledge',
      { schema: { tags: ['staff'], summary: '知悉登录失败提醒', params: idParams, response: withErrors({ 204: noContent }) } },
      async (request, reply) => {
        await staff.acknowledgeLoginAlert(staffOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  });
};
