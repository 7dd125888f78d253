/**
 * GET /metrics, Prometheus's text format. No login: a scraper has no session. Who may read it:
 * with METRICS_TOKEN set, whoever sends `Authorization: Bearer <METRICS_TOKEN>` (from anywhere);
 * without it, only this machine (a scraper or an exporter on localhost). Behind a proxy the address
 * is the client's as the trusted proxy reports it (TRUST_PROXY), so the world reaching /metrics
 * through the proxy is refused too — but only when the proxy is trusted: the run book's nginx
 * example also keeps /metrics off the public site.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';
import { file, withErrors } from '../http/contract/common.ts';
import type { Metrics } from './metrics.ts';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization;
  const sent = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  const a = Buffer.from(sent);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics; token: string | undefined }> = async (app, { metrics, token }) => {
  app.get(
    '/metrics',
    { schema: { hide: true, response: withErrors({ 200: file('Prometheus 指标（文本格式）', 'text/plain') }) } },
    async (request, reply) => {
      if (token !== undefined) {
        if (!bearerMatches(request, token)) {
          reply.header('www-authenticate', 'Bearer realm="metrics"');
          throw new AppError('METRICS_UNAUTHORIZED', '请在 Authorization 头中提供指标令牌（METRICS_TOKEN）', 401);
        }
      } else if (!LOOPBACK.test(request.ip)) {
        throw new AppError('METRICS_FORBIDDEN', '指标接口仅对本机开放；从其他机器采集请设置 METRICS_TOKEN', 403);
      }
      const { contentType, body } = await metrics.scrape();
      return reply.type(contentType).header('cache-control', 'no-store').send(Buffer.from(body));
    },
  );
};
