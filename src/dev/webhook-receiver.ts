/**
 * A relying platform's webhook receiver on loopback, for `npm start` only (outside production):
 * register a platform in 系统管理 → 接入平台 with the address /dev/webhook-receiver, and /dev/webhooks
 * shows what arrived — the event, whether its signature verifies, whether it was a repeat (the
 * receiver deduplicates by event id, as the README's example does). Kept in memory, newest first.
 */
import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml, renderDevPage, shanghaiTime } from './html.ts';

export const DEV_WEBHOOK_RECEIVER_PATH = '/dev/webhook-receiver';
const KEEP = 200;

interface Arrival {
  at: Date;
  eventId: string;
  type: string;
  typeLabel: string;
  number: string;
  verified: boolean;
  repeat: boolean;
}

export const devWebhookRoutes: FastifyPluginAsync<{ verify: (keyId: string, signature: string, body: string) => Promise<boolean>; clock: () => Date }> = async (app, { verify, clock }) => {
  const arrivals: Arrival[] = [];
  const seen = new Set<string>();
  // The signature covers the body's bytes as sent: keep it as text, not as parsed JSON.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(DEV_WEBHOOK_RECEIVER_PATH, { schema: { hide: true } }, async (request, reply) => {
    const body = typeof request.body === 'string' ? request.body : '';
    const header = (name: string) => {
      const v = request.headers[name];
      return typeof v === 'string' ? v : '';
    };
    const verified = await verify(header('x-certdesk-key-id'), header('x-certdesk-signature'), body);
    let event: { id?: string; type?: string; typeLabel?: string; data?: { application?: { number?: string } } } = {};
    try {
      event = JSON.parse(body) as typeof event;
    } catch {
      // shown as it came
    }
    const eventId = event.id ?? '';
    arrivals.unshift({ at: clock(), eventId, type: event.type ?? '', typeLabel: event.typeLabel ?? '', number: event.data?.application?.number ?? '', verified, repeat: seen.has(eventId) });
    arrivals.length = Math.min(arrivals.length, KEEP);
    if (!verified) return reply.status(401).send({ error: { code: 'SIGNATURE_INVALID', message: '签名不正确' } });
    seen.add(eventId);
    return reply.status(204).send();
  });

  app.get('/dev/webhooks', { schema: { hide: true } }, async (_request, reply) => {
    const rows = arrivals
      .map((a) => `<tr><td>${escapeHtml(shanghaiTime(a.at))}</td><td>${escapeHtml(a.typeLabel)}（${escapeHtml(a.type)}）</td><td>${escapeHtml(a.number)}</td><td><code>${escapeHtml(a.eventId)}</code></td><td>${a.verified ? '✓ 通过' : '✗ 不通过'}</td><td>${a.repeat ? '重复（已去重）' : '首次'}</td></tr>`)
      .join('');
    const html = renderDevPage({
      title: 'Webhook（模拟接入平台）',
      note: `在“系统管理 → 接入平台”中把接收地址设为本服务的 ${DEV_WEBHOOK_RECEIVER_PATH}，这里即列出收到的事件（仅演示与测试环境，重启后清空）；真实环境中事件发往各平台自己的地址。`,
      refreshSeconds: 5,
      tableMargin: 'margin-top: 1rem',
      styles: [],
      body: arrivals.length === 0 ? '<p>尚未收到事件。</p>' : `<table><thead><tr><th>收到时间</th><th>事件</th><th>申请单号</th><th>事件 ID</th><th>签名</th><th>去重</th></tr></thead><tbody>${rows}</tbody></table>`,
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
};
