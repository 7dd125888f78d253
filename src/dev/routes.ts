/**
 * Pages for testers, only outside production: /dev/sms shows what the SMS simulator "delivered",
 * newest first, so that a tester can read a login code.
 */
import type { FastifyPluginAsync } from 'fastify';
import { renderSmsOutboxHtml, type SmsOutbox } from '../providers/sms/simulator.ts';

export const devRoutes: FastifyPluginAsync<{ outbox: SmsOutbox }> = async (app, { outbox }) => {
  app.get('/dev/sms', { schema: { hide: true } }, async (_request, reply) => {
    const messages = await outbox.list(200);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderSmsOutboxHtml(messages));
  });
};
