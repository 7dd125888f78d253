/**
 * The one place a status is written: the domain's transition() decides, the repository writes the
 * new status, and the audit record goes into the same transaction.
 */
import type { Tx } from '../../db/database.ts';
import { transition, type Actor, type ApplicationEvent, type ApplicationStatus } from '../../domain/application.ts';
import { appendAudit } from '../audit/chain.ts';
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
  return row;
}
