/**
 * The one place a status is written: the domain's transition() decides, the repository writes the
 * new status, and the audit record — and, for the changes a relying platform is told of (审核通过,
 * 已支付, 已邮寄, 已完成), its webhook event — go into the same transaction.
 */
import type { Tx } from '../../db/database.ts';
import { transition, type Actor, type ApplicationEvent, type ApplicationStatus } from '../../domain/application.ts';
import { webhookOfTransition } from '../../domain/webhook-events.ts';
import { appendAudit } from '../audit/chain.ts';
import { recordPlatformEvent } from '../platforms/outbox.ts';
import * as repo from './repository.ts';

export async function fireTransition(
  tx: Tx,
  app: repo.ApplicationRow,
  event: ApplicationEvent,
  actor: Actor,
  at: Date,
  data: Record<string, unknown> = {},
): Promise<repo.ApplicationRow> {
  const t = transition({ status: app.status, applicantId: app.applicantId, kind: app.kind, priceFen: app.priceFen }, event, actor, at);
  const row = await repo.writeTransition(tx, app.id, t);
  await appendAudit(tx, {
    at: t.at,
    actor,
    action: `application.${event}`,
    entityType: 'application',
    entityId: app.id,
    data: { number: app.number, from: t.from, to: t.to, ...data },
  });
  const webhook = webhookOfTransition(event);
  if (webhook) {
    // 已邮寄 tells the courier and waybill; nothing else of the event's details leaves CertDesk.
    const shipment = event === 'ship' ? { shipment: { courier: data['courier'], trackingNumber: data['trackingNumber'] } } : {};
    await recordPlatformEvent(tx, { type: webhook, application: row, at: t.at, data: shipment });
  }
  return row;
}
