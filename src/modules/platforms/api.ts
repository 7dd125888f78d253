/**
 * What a relying platform may ask, once its request is signed (platform-signature.ts): for the
 * units of its projects only, the certificates' status with their lineage, a certificate itself,
 * and an application's progress. Anything outside its projects is answered exactly as a thing
 * that does not exist, so a platform learns nothing about other platforms' units. Every refusal
 * says what is wrong in Chinese (message) and in English (details.messageEn).
 */
import type { Db } from '../../db/database.ts';
import { statusLabels } from '../../domain/application.ts';
import { AppError } from '../../domain/errors.ts';
import { parseAuthorization, sameSignature, signRequest, timestampFresh, verifyWebhook, type SignedRequestParts } from '../../domain/platform-signature.ts';
import { applicantTimeline } from '../../domain/timeline.ts';
import { toPem } from '../../pki/der.ts';
import * as apps from '../applications/repository.ts';
import { recordsOf } from '../audit/records.ts';
import type { CaService } from '../ca/service.ts';
import { certificateState, profileLabel, reasonLabel } from '../ca/views.ts';
import type { CertificateRow } from '../ca/repository.ts';
import { secretOf } from './credentials.ts';
import { applicationSummary } from './outbox.ts';
import * as repo from './repository.ts';

export function refusal(code: string, zh: string, en: string, status: number): AppError {
  return new AppError(code, zh, status, { messageEn: en });
}

export const apiRefusals = {
  missing: () => refusal('SIGNATURE_MISSING', '缺少签名或签名格式不正确：请按接口说明在 Authorization 头中签名', 'Missing or malformed Authorization header: sign the request as documented', 401),
  stale: () => refusal('TIMESTAMP_OUT_OF_RANGE', '请求时间戳与服务器时间相差超过 5 分钟，请校准时钟后重新签名', 'Timestamp is more than 5 minutes from the server time: check the clock and sign again', 401),
  unknownKey: () => refusal('KEY_INVALID', '密钥不存在、已过期或已吊销', 'Unknown, expired or revoked key id', 401),
  badSignature: () => refusal('SIGNATURE_INVALID', '签名不正确', 'Signature does not match the request', 401),
  replay: () => refusal('NONCE_REUSED', '该随机数（Nonce）已使用过，请为每个请求生成新的随机数', 'Nonce already used: send a new nonce with every request', 401),
  notFound: () => refusal('NOT_FOUND', '不存在，或不属于本平台可查询的项目', 'Not found, or not among the projects this platform may see', 404),
  badQuery: () => refusal('QUERY_INVALID', '请提供统一社会信用代码（uscc）或证书序列号（serial）之一', 'Give exactly one of uscc or serial', 400),
};

/** The platform a verified request comes from. */
export interface CallingPlatform {
  id: string;
  name: string;
  keyId: string;
  projectIds: readonly string[];
}

export interface PlatformApiDeps {
  db: Db;
  clock: () => Date;
  keyRoot: Buffer;
  skewSeconds: number;
  ca: CaService;
}

export function createPlatformApi(deps: PlatformApiDeps) {
  const { db, clock, ca } = deps;

  /** The certificates this platform may see, with their application's project. */
  async function visible(platform: CallingPlatform, rows: CertificateRow[]): Promise<CertificateRow[]> {
    const ids = [...new Set(rows.flatMap((r) => (r.applicationId ? [r.applicationId] : [])))];
    const projectOf = new Map<string, string | null>();
    for (const id of ids) projectOf.set(id, (await apps.findById(db, id))?.projectId ?? null);
    return rows.filter((r) => {
      const project = r.applicationId ? projectOf.get(r.applicationId) : null;
      return project ? platform.projectIds.includes(project) : false;
    });
  }

  async function view(row: CertificateRow, now: Date) {
    const successor = await ca.successorOf(row.serialHex);
    const state = certificateState(row, now);
    // 已续期 while a renewal's successor exists; a 变更's or 补办's predecessor is revoked with it.
    const status: 'valid' | 'renewed' | 'revoked' | 'expired' = state === 'valid' && successor?.succession === 'renewed' ? 'renewed' : state;
    const labels = { valid: '有效', renewed: '已续期', revoked: '已吊销', expired: '已过期' } as const;
    return {
      serial: row.serialHex,
      profile: row.profile,
      profileLabel: profileLabel(row.profile),
      family: row.family,
      orgName: row.subjectOrg,
      uscc: row.subjectUscc,
      notBefore: row.notBefore.toISOString(),
      notAfter: row.notAfter.toISOString(),
      status,
      statusLabel: labels[status],
      revokedAt: row.revokedAt?.toISOString() ?? null,
      revocationReason: reasonLabel(row.revocationReason) ?? null,
      /** 续期: the certificate this one renews, and the one that renewed it. */
      predecessorSerial: row.predecessorSerialHex,
      successorSerial: successor?.serialHex ?? null,
      /** Why the successor succeeds this one: renewed (续期), changed (变更), reissued (补办). */
      succession: successor?.succession ?? null,
      pairSerial: row.pairSerialHex,
    };
  }

  /** The whole lineage of a certificate, oldest first (each renewal names its predecessor). */
  async function lineageOf(row: CertificateRow): Promise<CertificateRow[]> {
    const chain = [row];
    for (let back = row; back.predecessorSerialHex && chain.length < 50; ) {
      const prev = await ca.certificate(back.predecessorSerialHex);
      if (!prev) break;
      chain.unshift((back = prev));
    }
    for (let next = await ca.successorOf(row.serialHex); next && chain.length < 50; next = await ca.successorOf(next.serialHex)) chain.push(next);
    return chain;
  }

  return {
    /** /dev/webhooks: does a webhook verify with the key it names (as its platform would check it)? */
    async webhookSignatureValid(keyId: string, signature: string, body: string): Promise<boolean> {
      const key = keyId ? await repo.keyById(db, keyId) : undefined;
      const secret = key ? secretOf(deps.keyRoot, key) : undefined;
      return secret ? verifyWebhook(secret, signature, body, clock(), deps.skewSeconds) : false;
    },

    /** Checks the signature, the time, the key and the nonce; the platform, or a refusal. */
    async authenticate(authorization: string | undefined, parts: Omit<SignedRequestParts, 'timestamp' | 'nonce'>): Promise<CallingPlatform> {
      const header = parseAuthorization(authorization);
      if (!header) throw apiRefusals.missing();
      const now = clock();
      if (!timestampFresh(header.timestamp, now, deps.skewSeconds)) throw apiRefusals.stale();
      const key = await repo.keyById(db, header.keyId);
      if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) throw apiRefusals.unknownKey();
      const secret = secretOf(deps.keyRoot, key);
      if (!secret) throw apiRefusals.unknownKey();
      const expected = signRequest(secret, { ...parts, timestamp: header.timestamp, nonce: header.nonce });
      if (!sameSignature(expected, header.signature)) throw apiRefusals.badSignature();
      // Kept while its timestamp could still pass: after that the time check refuses a replay.
      const keepUntil = new Date(Math.max(now.getTime(), header.timestamp * 1000) + deps.skewSeconds * 1000);
      if (!(await repo.useNonce(db, key.keyId, header.nonce, keepUntil))) throw apiRefusals.replay();
      const platform = await repo.platformById(db, key.platformId);
      if (!platform) throw apiRefusals.unknownKey();
      return { id: platform.id, name: platform.name, keyId: key.keyId, projectIds: platform.projectIds };
    },

    /** By 统一社会信用代码 (every certificate of the unit) or by serial (that certificate's lineage). */
    async certificates(platform: CallingPlatform, query: { uscc?: string | undefined; serial?: string | undefined }) {
      if ((query.uscc === undefined) === (query.serial === undefined)) throw apiRefusals.badQuery();
      const now = clock();
      let rows: CertificateRow[];
      if (query.uscc !== undefined) rows = await visible(platform, await ca.certificatesOfUnit(query.uscc.trim().toUpperCase()));
      else {
        const row = await ca.certificate(query.serial ?? '');
        const [seen] = row ? await visible(platform, [row]) : [];
        if (!seen) throw apiRefusals.notFound();
        rows = await visible(platform, await lineageOf(seen));
      }
      if (rows.length === 0) throw apiRefusals.notFound();
      return { certificates: await Promise.all(rows.map((r) => view(r, now))) };
    },

    async certificate(platform: CallingPlatform, serial: string) {
      const row = await ca.certificate(serial);
      const [seen] = row ? await visible(platform, [row]) : [];
      if (!seen) throw apiRefusals.notFound();
      return { ...(await view(seen, clock())), pem: toPem('CERTIFICATE', seen.der), derBase64: Buffer.from(seen.der).toString('base64') };
    },

    /** 申请进度: status and timeline, the unit's name and nothing about the persons. */
    async application(platform: CallingPlatform, number: string) {
      const app = await apps.findByNumber(db, number);
      if (!app || app.status === 'draft' || !app.projectId || !platform.projectIds.includes(app.projectId)) throw apiRefusals.notFound();
      const timeline = applicantTimeline(await recordsOf(db, 'application', app.id)).map((e) => ({ at: e.at, title: e.title, statusLabel: e.statusLabel }));
      return { ...applicationSummary(app), statusLabel: statusLabels[app.status], submittedAt: app.submittedAt?.toISOString() ?? null, timeline };
    },
  };
}

export type PlatformApi = ReturnType<typeof createPlatformApi>;
