/**
 * The relying platforms over HTTP: the 管理员 registers two platforms, each seeing a project of
 * its own; a signed request is answered, and a wrong signature, an old timestamp, a reused nonce,
 * a revoked key and another platform's unit are refused. Webhooks go to a receiver on loopback
 * that answers 500, then nothing (a timeout), then 200: the events arrive in order, each signature
 * verifies with the documented recipe, and a resent event is taken once by the receiver.
 *
 * Each run makes its own projects, so on a shared PostgreSQL no other suite's units or events
 * reach these platforms.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationHeader, verifyWebhook } from '../../src/domain/platform-signature.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { company, person } from '../support/applicant.ts';
import { auditActions } from '../support/audit.ts';
import { certifiedUnit, type CertifiedUnit } from '../support/certified.ts';
import type { ErrorBody, TestClient } from '../support/http.ts';
import { loggedInStaff } from '../support/staff.ts';
import type { PlatformCredentials, WebhookDeliveryList } from '../../src/modules/platforms/schemas.ts';

let t: TestApp;
let admin: TestClient;

// ── a relying platform's webhook receiver, as the README's example: verify, then deduplicate by id ──
type Behaviour = 'fail' | 'hang' | 'ok';
interface Received {
  id: string;
  type: string;
  number: string;
  verified: boolean;
}
const script: Behaviour[] = ['fail', 'hang'];
const received: Received[] = [];
const processed: Received[] = [];
const seen = new Set<string>();
let receiver: Server;
let receiverUrl = '';
let secretA = '';

function receive(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const event = JSON.parse(body) as { id: string; type: string; data: { application: { number: string } } };
    const signature = req.headers['x-certdesk-signature'];
    const r = { id: event.id, type: event.type, number: event.data.application.number, verified: verifyWebhook(secretA, typeof signature === 'string' ? signature : undefined, body, new Date()) };
    received.push(r);
    const behaviour = script.shift() ?? 'ok';
    if (behaviour === 'hang') return; // never answers: CertDesk's timeout must end it
    if (behaviour === 'fail') return void res.writeHead(500).end();
    if (!r.verified) return void res.writeHead(401).end();
    if (!seen.has(r.id)) {
      seen.add(r.id);
      processed.push(r);
    }
    res.writeHead(204).end();
  });
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ── signed requests ──
interface Key {
  keyId: string;
  secret: string;
}
const nonce = () => randomBytes(12).toString('base64url');
async function signed<T = unknown>(key: Key, pathAndQuery: string, o: { timestamp?: number; nonce?: string; tamper?: boolean } = {}) {
  const [path = '', query = ''] = pathAndQuery.split('?');
  const parts = { method: 'GET', path, query, body: '', timestamp: o.timestamp ?? Math.floor(Date.now() / 1000), nonce: o.nonce ?? nonce() };
  const authorization = authorizationHeader(key.keyId, o.tamper ? `${key.secret}x` : key.secret, parts);
  const res = await fetch(`${t.url}${pathAndQuery}`, { headers: { authorization } });
  return { status: res.status, body: (await res.json()) as T };
}
type Refusal = ErrorBody & { error: { details: { messageEn: string } } };

const projectA = `t-pa-${randomBytes(4).toString('hex')}`;
const projectB = `t-pb-${randomBytes(4).toString('hex')}`;
let platformA: PlatformCredentials;
let platformB: PlatformCredentials;
let unitA: CertifiedUnit;
let unitB: CertifiedUnit;

beforeAll(async () => {
  receiver = createServer(receive);
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/certdesk-webhook`;
  t = await startTestApp();
  admin = await loggedInStaff(t, { now: t.clock }, ['admin']);
  for (const id of [projectA, projectB]) {
    const res = await admin.post('/api/admin/projects', { id, name: `平台测试${id}`, description: '', extraAttachments: { enterprise: [], institution: [] }, sortOrder: 990, requiresSecondReview: false });
    expect(res.status).toBe(201);
  }
  const a = await admin.post<PlatformCredentials>('/api/admin/platforms', { name: '内蒙古自治区政府采购云平台', contact: '王工 0471-1234567', webhookUrl: receiverUrl, projectIds: [projectA] });
  expect(a.status).toBe(201);
  platformA = a.body;
  secretA = platformA.credentials.secret;
  const b = await admin.post<PlatformCredentials>('/api/admin/platforms', { name: '公共资源交易平台', contact: '李工', webhookUrl: '', projectIds: [projectB] });
  platformB = b.body;
  unitA = await certifiedUnit(t, { projectId: projectA });
  unitB = await certifiedUnit(t, { projectId: projectB });
}, 60_000);

afterAll(async () => {
  receiver?.closeAllConnections();
  receiver?.close();
  await t?.close();
});

describe('接入平台的签名请求', () => {
  it('answers a signed request for the units of its projects: status with lineage, the certificate, the progress', async () => {
    const key = platformA.credentials;
    expect(key.secret).toMatch(/^cdsk_/);
    expect(platformA.platform.keys.map((k) => k.stateLabel)).toEqual(['有效']);

    const byUscc = await signed<{ certificates: { serial: string; statusLabel: string; successorSerial: string | null }[] }>(key, `/api/platform/v1/certificates?uscc=${company.uscc}`);
    expect(byUscc.status).toBe(200);
    // The same unit also holds unitB's certificate, in a project this platform does not see.
    expect(byUscc.body.certificates.map((c) => c.serial)).toContain(unitA.serial);
    expect(byUscc.body.certificates.map((c) => c.serial)).not.toContain(unitB.serial);
    expect(byUscc.body.certificates.find((c) => c.serial === unitA.serial)?.statusLabel).toBe('有效');

    const cert = await signed<{ pem: string; statusLabel: string }>(key, `/api/platform/v1/certificates/${unitA.serial}`);
    expect(cert.status).toBe(200);
    expect(cert.body.pem).toContain('-----BEGIN CERTIFICATE-----');

    const progress = await signed<{ statusLabel: string; orgName: string; timeline: { title: string }[] }>(key, `/api/platform/v1/applications/${unitA.number}`);
    expect(progress.status).toBe(200);
    expect(progress.body.statusLabel).toBe('已完成');
    expect(progress.body.orgName).toBe(company.name);
    expect(progress.body.timeline.map((e) => e.title)).toContain('审核通过');
    // No personal data beyond the unit's name.
    for (const personal of [person.name, person.idNumber, person.phone, unitA.phone]) expect(JSON.stringify(progress.body)).not.toContain(personal);
  });

  it('refuses, in Chinese and English, a wrong signature, an old timestamp, a reused nonce and another platform’s unit', async () => {
    const key = platformA.credentials;
    const path = `/api/platform/v1/certificates/${unitA.serial}`;
    const wrong = await signed<Refusal>(key, path, { tamper: true });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'SIGNATURE_INVALID']);
    expect(wrong.body.error.message).toBe('签名不正确');
    expect(wrong.body.error.details.messageEn).toMatch(/Signature/);

    const old = await signed<Refusal>(key, path, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect([old.status, old.body.error.code]).toEqual([401, 'TIMESTAMP_OUT_OF_RANGE']);

    const once = nonce();
    expect((await signed(key, path, { nonce: once })).status).toBe(200);
    const replay = await signed<Refusal>(key, path, { nonce: once });
    expect([replay.status, replay.body.error.code]).toEqual([401, 'NONCE_REUSED']);

    const other = await signed<Refusal>(platformB.credentials, path);
    expect([other.status, other.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await signed<Refusal>(platformB.credentials, `/api/platform/v1/applications/${unitA.number}`)).status).toBe(404);
    expect((await signed(platformB.credentials, `/api/platform/v1/certificates/${unitB.serial}`)).status).toBe(200);

    const unsigned = await fetch(`${t.url}${path}`);
    expect(unsigned.status).toBe(401);
  });

  it('rotates a key with an overlap and revokes one at once', async () => {
    const id = platformB.platform.id;
    const old = platformB.credentials;
    const rotated = await admin.post<PlatformCredentials>(`/api/admin/platforms/${id}/keys`);
    expect(rotated.status).toBe(200);
    const path = `/api/platform/v1/certificates/${unitB.serial}`;
    expect((await signed(rotated.body.credentials, path)).status).toBe(200);
    expect((await signed(old, path)).status).toBe(200); // still inside the overlap
    expect(rotated.body.platform.keys.find((k) => k.keyId === old.keyId)?.stateLabel).toBe('过渡期');

    expect((await admin.post(`/api/admin/platforms/${id}/keys/${old.keyId}/revoke`)).status).toBe(200);
    const refused = await signed<Refusal>(old, path);
    expect([refused.status, refused.body.error.code]).toEqual([401, 'KEY_INVALID']);
    expect(await auditActions(t, 'platform', id)).toEqual(['platform.register', 'platform.key_rotate', 'platform.key_revoke']);
  });
});

describe('Webhook 投递', () => {
  it('delivers each event in order after a 500 and a timeout, signed as documented, and a resend is taken once', async () => {
    const mine = () => processed.filter((r) => r.number === unitA.number);
    const order = ['application.approved', 'application.paid', 'certificate.issued', 'application.completed'];
    await until('the four events', () => (mine().length >= 4 ? true : undefined));
    expect(mine().map((r) => r.type)).toEqual(order);
    // The first event was tried three times (500, no answer, 204), with one id; all verified.
    const first = received.filter((r) => r.id === mine()[0]!.id);
    expect(first).toHaveLength(3);
    expect(received.every((r) => r.verified)).toBe(true);

    const id = platformA.platform.id;
    // The receiver has taken it before CertDesk has read the 204 and recorded it: read the log
    // until it shows the delivery settled (or time out: a delivery taken but never recorded).
    const deliveryOf = async (eventId: string) =>
      (await admin.get<WebhookDeliveryList>(`/api/admin/platforms/${id}/deliveries`)).body.deliveries.find((d) => d.eventId === eventId);
    const approved = await until('the first event recorded as delivered', async () => {
      const d = await deliveryOf(mine()[0]!.id);
      return d && d.status !== 'pending' ? d : undefined;
    });
    expect(approved.statusLabel).toBe('已送达');
    expect(approved.history.map((h) => h.statusCode)).toEqual([500, null, 204]);
    expect(approved.history[1]!.error).toMatch(/超时/);

    // 重新投递: the receiver gets it again and, deduplicating by id, processes it once.
    const before = received.length;
    expect((await admin.post(`/api/admin/platforms/${id}/deliveries/${approved.id}/resend`)).status).toBe(204);
    await until('the resent event', () => (received.length > before ? true : undefined));
    expect(received.at(-1)!.id).toBe(approved.eventId);
    expect(mine()).toHaveLength(4);
    const again = await until('the resend recorded', async () => {
      const d = await deliveryOf(approved.eventId);
      return d?.history.length === 4 ? d : undefined;
    });
    expect(again.history.at(-1)).toMatchObject({ trigger: 'resend', statusCode: 204 });
    expect(await auditActions(t, 'platform', id)).toEqual(['platform.register', 'platform.webhook_resend']);
  }, 60_000);

  it('tells of a revocation, written with it', async () => {
    await t.certdesk.ca.ca.revoke({ kind: 'system', id: 'test' }, unitA.serial, 'cessationOfOperation');
    const revoked = await until('已吊销', () => processed.find((r) => r.number === unitA.number && r.type === 'certificate.revoked'));
    expect(revoked.verified).toBe(true);
  }, 30_000);
});
