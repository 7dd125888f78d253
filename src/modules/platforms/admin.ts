/**
 * 系统管理 → 接入平台: the 管理员 registers a relying platform, gets its API key (the secret shown
 * once), rotates it with an overlap, revokes it at once, reads the webhook deliveries and resends
 * one. Each change commits with its audit record.
 */
import type { Db } from '../../db/database.ts';
import { AppError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import { deliveryStatusLabels, webhookEventLabels, type WebhookEventType } from '../../domain/webhook-events.ts';
import { appendAudit } from '../audit/chain.ts';
import { fingerprint, newKeyMaterial } from './credentials.ts';
import type { WebhookDelivery } from './delivery.ts';
import * as repo from './repository.ts';

type Staff = Extract<Principal, { kind: 'staff' }>;

export interface PlatformInput {
  name: string;
  contact: string;
  webhookUrl: string | null;
  projectIds: string[];
}

export interface PlatformAdminDeps {
  db: Db;
  clock: () => Date;
  keyRoot: Buffer;
  /** PLATFORM_KEY_OVERLAP_DAYS: how long a rotated-out key keeps working. */
  keyOverlapDays: number;
  /** Projects that exist (the form's choices must be among them). */
  projectExists: (ids: string[]) => Promise<string[]>;
  webhooks: () => WebhookDelivery;
}

export const platformErrors = {
  notFound: () => new AppError('PLATFORM_NOT_FOUND', '接入平台不存在', 404),
  keyNotFound: () => new AppError('KEY_NOT_FOUND', '密钥不存在或已吊销', 404),
  deliveryNotFound: () => new AppError('DELIVERY_NOT_FOUND', '投递记录不存在', 404),
  unknownProjects: (ids: string[]) => new AppError('PROJECT_NOT_FOUND', `项目不存在：${ids.join('、')}`, 422),
};

export type KeyState = 'active' | 'expiring' | 'expired' | 'revoked';
const keyStateLabels: Record<KeyState, string> = { active: '有效', expiring: '过渡期', expired: '已过期', revoked: '已吊销' };

function keyView(k: repo.ApiKeyRow, now: Date) {
  const state: KeyState = k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt <= now ? 'expired' : k.expiresAt ? 'expiring' : 'active';
  return {
    keyId: k.keyId,
    fingerprint: fingerprint(k.secretSha256),
    createdAt: k.createdAt.toISOString(),
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    state,
    stateLabel: keyStateLabels[state],
  };
}

function numberOf(data: Record<string, unknown>): string {
  const app = data['application'];
  const n = app && typeof app === 'object' ? (app as Record<string, unknown>)['number'] : undefined;
  return typeof n === 'string' ? n : '';
}

export function createPlatformAdmin(deps: PlatformAdminDeps) {
  const { db, clock } = deps;

  async function checkProjects(ids: string[]) {
    const known = new Set(await deps.projectExists(ids));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) throw platformErrors.unknownProjects(missing);
  }

  function present(p: repo.PlatformRow, keys: repo.ApiKeyRow[], now: Date) {
    return {
      id: p.id,
      name: p.name,
      contact: p.contact,
      webhookUrl: p.webhookUrl,
      projectIds: p.projectIds,
      createdAt: p.createdAt.toISOString(),
      keys: keys.filter((k) => k.platformId === p.id).map((k) => keyView(k, now)),
    };
  }

  async function issueKey(tx: Parameters<Parameters<Db['transaction']>[0]>[0], platformId: string, at: Date) {
    const material = newKeyMaterial(deps.keyRoot);
    await repo.insertKey(tx, { keyId: material.keyId, platformId, salt: material.salt, secretSha256: material.secretSha256, createdAt: at });
    return material;
  }

  return {
    async list() {
      const now = clock();
      const platforms = await repo.listPlatforms(db);
      const keys = await repo.keysOf(db, platforms.map((p) => p.id));
      return platforms.map((p) => present(p, keys, now));
    },

    /** The new platform and its first key; the secret is in this answer only. */
    async register(actor: Staff, input: PlatformInput) {
      await checkProjects(input.projectIds);
      const now = clock();
      return db.transaction(async (tx) => {
        const platform = await repo.insertPlatform(tx, { ...input, createdAt: now, updatedAt: now });
        const key = await issueKey(tx, platform.id, now);
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'platform.register',
          entityType: 'platform',
          entityId: platform.id,
          data: { name: input.name, webhookUrl: input.webhookUrl, projectIds: input.projectIds, keyId: key.keyId },
        });
        const keys = await repo.keysOf(tx, [platform.id]);
        return { platform: present(platform, keys, now), credentials: { keyId: key.keyId, secret: key.secret } };
      });
    },

    async update(actor: Staff, id: string, input: PlatformInput) {
      await checkProjects(input.projectIds);
      const now = clock();
      return db.transaction(async (tx) => {
        const row = await repo.updatePlatform(tx, id, { ...input, updatedAt: now });
        if (!row) throw platformErrors.notFound();
        await appendAudit(tx, { at: now, actor, action: 'platform.update', entityType: 'platform', entityId: id, data: { ...input } });
        return present(row, await repo.keysOf(tx, [id]), now);
      });
    },

    /** A new key; the platform's other keys keep working for the overlap, then stop. */
    async rotateKey(actor: Staff, id: string) {
      const now = clock();
      const until = new Date(now.getTime() + deps.keyOverlapDays * 86_400_000);
      return db.transaction(async (tx) => {
        const platform = await repo.platformById(tx, id);
        if (!platform) throw platformErrors.notFound();
        const key = await issueKey(tx, id, now);
        const overlapping = await repo.expireOtherKeys(tx, id, key.keyId, until);
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'platform.key_rotate',
          entityType: 'platform',
          entityId: id,
          data: { keyId: key.keyId, previousKeys: overlapping, previousValidUntil: until.toISOString() },
        });
        return { platform: present(platform, await repo.keysOf(tx, [id]), now), credentials: { keyId: key.keyId, secret: key.secret } };
      });
    },

    /** At once: the next request signed with it is refused. */
    async revokeKey(actor: Staff, id: string, keyId: string) {
      const now = clock();
      return db.transaction(async (tx) => {
        const platform = await repo.platformById(tx, id);
        if (!platform) throw platformErrors.notFound();
        if (!(await repo.revokeKey(tx, id, keyId, now))) throw platformErrors.keyNotFound();
        await appendAudit(tx, { at: now, actor, action: 'platform.key_revoke', entityType: 'platform', entityId: id, data: { keyId } });
        return present(platform, await repo.keysOf(tx, [id]), now);
      });
    },

    /** The newest deliveries to a platform, each with its attempts (每次投递). */
    async deliveries(id: string, limit = 100) {
      const platform = await repo.platformById(db, id);
      if (!platform) throw platformErrors.notFound();
      const rows = await repo.deliveriesOf(db, id, limit);
      const attempts = await repo.attemptsOf(db, rows.map((r) => r.delivery.id));
      return rows.map(({ delivery: d, event: e }) => ({
        id: d.id,
        eventId: e.id,
        type: e.type,
        typeLabel: webhookEventLabels[e.type as WebhookEventType] ?? e.type,
        applicationNumber: numberOf(e.data),
        occurredAt: e.occurredAt.toISOString(),
        status: d.status,
        statusLabel: deliveryStatusLabels[d.status],
        attempts: d.attempts,
        lastStatusCode: d.lastStatusCode,
        lastError: d.lastError,
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
        history: attempts
          .filter((a) => a.deliveryId === d.id)
          .map((a) => ({ at: a.at.toISOString(), attempt: a.attempt, trigger: a.trigger, statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
      }));
    },

    /** 重新投递: the event again (a receiver that deduplicates by id takes it once). */
    async resend(actor: Staff, id: string, deliveryId: string) {
      const now = clock();
      await db.transaction(async (tx) => {
        const row = await repo.requeue(tx, id, deliveryId, now);
        if (!row) throw platformErrors.deliveryNotFound();
        await deps.webhooks().resend(tx, row.id);
        await appendAudit(tx, { at: now, actor, action: 'platform.webhook_resend', entityType: 'platform', entityId: id, data: { deliveryId, eventId: row.eventId } });
      });
    },
  };
}

export type PlatformAdmin = ReturnType<typeof createPlatformAdmin>;
