/**
 * Pages for testers, only outside production: /dev/sms shows what the SMS simulator "delivered",
 * newest first, so that a tester can read a login code; /dev/registry lists the simulated
 * registry's organisations and persons, so that a tester knows what to type at 实名认证.
 */
import type { FastifyPluginAsync } from 'fastify';
import { renderSmsOutboxHtml, type SmsOutbox } from '../providers/sms/simulator.ts';

export const devRoutes: FastifyPluginAsync<{ outbox: SmsOutbox; registryPage: () => string }> = async (app, { outbox, registryPage }) => {
  const html = registryPage();
  app.get('/dev/registry', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));

  app.get('/dev/sms', { schema: { hide: true } }, async (_request, reply) => {
    const messages = await outbox.list(200);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderSmsOutboxHtml(messages));
  });
};
