/** 解锁's HTTP: the holder's two steps, 获取验证码 and 获取解锁码, on one of their certificates. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withErrors } from '../../http/contract/common.ts';
import { applicantOf, requireApplicant } from '../../http/session.ts';
import * as answers from './schemas.ts';
import type { UsbKeyUnlockService } from './service.ts';

export const usbKeyUnlockRoutes: FastifyPluginAsyncZod<{ unlock: UsbKeyUnlockService }> = async (app, { unlock }) => {
  app.addHook('preHandler', requireApplicant);

  app.post(
    '/api/applications/:id/certificates/:serial/unlock-requests',
    {
      schema: {
        tags: ['applications'],
        summary: 'USB Key 解锁：提交介质序列号和挑战码，向经办人手机发送验证码',
        params: z.object({ id: z.uuid({ message: '申请不存在' }), serial: z.string().trim().min(1).max(80) }),
        body: z.object({
          keySerial: z.string().trim().min(1, '请输入介质序列号').max(64, '介质序列号过长'),
          challenge: z.string().trim().min(1, '请输入挑战码').max(64, '挑战码过长'),
        }),
        response: withErrors({ 200: answers.unlockCodeSent }),
      },
    },
    async (request) => unlock.requestCode(applicantOf(request), request.params.id, request.params.serial, request.body),
  );

  app.post(
    '/api/unlock-requests/:requestId/answer',
    {
      schema: {
        tags: ['applications'],
        summary: 'USB Key 解锁：输入短信验证码，获取该介质、该挑战码的解锁码',
        params: z.object({ requestId: z.uuid({ message: '解锁申请不存在或已失效，请重新获取验证码' }) }),
        body: z.object({ code: z.string().trim().min(1, '请输入验证码') }),
        response: withErrors({ 200: answers.unlockAnswer }),
      },
    },
    async (request, reply) => {
      const answer = await unlock.answer(applicantOf(request), request.params.requestId, request.body.code);
      reply.header('cache-control', 'no-store');
      return answer;
    },
  );
};
