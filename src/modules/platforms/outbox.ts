/**
 * The webhook outbox: the one function other modules call to tell the relying platforms
 * something. It runs inside the transaction of the change it reports (a status change, an
 * issuance, a revocation, a reminder) and writes the event and one pending delivery per platform
 * that sees the application's project — so a rolled-back change tells nobody, and a process killed
 * after the commit loses no event. It needs no queue handle (fireTransition, the CA and the CLI
 * have none): delivery.ts relays the pending deliveries to the job queue.
 */
import type { Tx } from '../../db/database.ts';
import { statusLabels } from '../../domain/application.ts';
import { applicationKindLabels } from '../../domain/renewal.ts';
import type { WebhookEventType } from '../../domain/webhook-events.ts';
import * as apps from '../applications/repository.ts';
import * as repo from './repository.ts';

export interface PlatformEvent {
  type: WebhookEventType;
  /** The application it is about, as just written (or its id, read again in the transaction). */
  application: apps.ApplicationRow | string;
  at: Date;
  /** What the event adds to the application's summary (the certificate, the days left …). */
  data?: Record<string, unknown>;
}

/** The application as a platform reads it: the unit's name and code, never a person's data. */
export function applicationSummary(app: apps.ApplicationRow) {
  return {
    number: app.number,
    kind: app.kind,
    kindLabel: applicationKindLabels[app.kind],
    status: app.status,
    statusLabel: statusLabels[app.status],
    orgName: app.orgName,
    uscc: app.uscc,
    projectId: app.projectId,
  };
}

export async function recordPlatformEvent(tx: Tx, event: PlatformEvent): Promise<void> {
  const app = typeof event.application === 'string' ? await apps.findById(tx, event.application) : event.application;
  if (!app?.projectId) return;
  const platformIds = await repo.platformsWatching(tx, app.projectId);
  if (platformIds.length === 0) return;
  await repo.insertEvent(tx, {
    event: {
      type: event.type,
      applicationId: app.id,
      occurredAt: event.at,
      data: { application: applicationSummary(app), ...event.data },
    },
    platformIds,
  });
}
