/**
 * The scenario builders (test/support/scenario.ts) end where the HTTP way ends: an application
 * built at 待审核 and one submitted step by step over HTTP have the same row (but for its number,
 * owner and times), the same scans, contract acceptances, signed contract and audit trail; built
 * 审核通过 and 审核通过 over HTTP open the same bank transfer and send the same SMS. Tests that
 * build their applications this way therefore start from what the portal would have left.
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, contractAcceptances, contractDocuments, contractTemplates, payments } from '../../src/db/schema.ts';
import { sha256Hex } from '../../src/modules/contracts/service.ts';
import * as apps from '../../src/modules/applications/repository.ts';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { loggedInApplicant, submitOverHttp } from '../support/applicant.ts';
import { auditActions } from '../support/audit.ts';
import { approve, submittedApplication } from '../support/scenario.ts';
import { waitForSms } from '../support/sms.ts';
import { loggedInStaff } from '../support/staff.ts';

const clock = movableClock();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
});
afterAll(async () => {
  await t?.close();
});

/** Everything an application's submission wrote, without what differs between two of them. */
async function stateOf(id: string) {
  const db = t.certdesk.database.db;
  const row = await apps.findById(db, id);
  if (!row) throw new Error(`no application ${id}`);
  const { id: _id, number: _number, applicantId: _owner, createdAt, updatedAt, operatorVerifiedAt, orgVerifiedAt, submittedAt, ...rest } = row;
  const { inReviewSince, approvedAt, paidAt, productionStartedAt, dispatchedAt, completedAt, ...data } = rest;
  // Which milestones are set (their times differ between two applications).
  const milestones = Object.entries({ inReviewSince, approvedAt, paidAt, productionStartedAt, dispatchedAt, completedAt }).filter(([, at]) => at !== null).map(([m]) => m);
  const scans = await db
    .select({ kind: attachments.kind, contentType: attachments.contentType, superseded: attachments.supersededAt })
    .from(attachments)
    .where(eq(attachments.applicationId, id))
    .orderBy(asc(attachments.kind));
  const accepted = await db
    .select({ kind: contractAcceptances.kind, version: contractAcceptances.templateVersion, text: contractAcceptances.textSha256 })
    .from(contractAcceptances)
    .where(eq(contractAcceptances.applicationId, id))
    .orderBy(asc(contractAcceptances.id));
  const signed = await db
    .select({ version: contractDocuments.templateVersion, text: contractDocuments.textSha256, signer: contractDocuments.signerSerial })
    .from(contractDocuments)
    .where(eq(contractDocuments.applicationId, id));
  // The contract's text names the application, so its hash differs; both acceptances and the PDF are of one text.
  expect(new Set([...accepted.map((a) => a.text), ...signed.map((s) => s.text)]).size).toBe(1);
  const times = { created: createdAt.getTime() > 0, updated: updatedAt >= createdAt, verified: Boolean(operatorVerifiedAt && orgVerifiedAt), submitted: Boolean(submittedAt), milestones };
  // Which contract text, not which version number: on the PostgreSQL run the suites share the
  // database, and one may publish a version meanwhile (admin-templates.test restores the original
  // text as a new version), so two applications built a moment apart can accept the same text
  // under different numbers.
  const templates = new Map((await db.select({ version: contractTemplates.version, body: contractTemplates.body }).from(contractTemplates)).map((r) => [r.version, sha256Hex(r.body)]));
  const textOf = (version: number) => templates.get(version) ?? `unknown version ${version}`;
  return {
    data,
    times,
    scans,
    accepted: accepted.map(({ kind, version }) => ({ kind, template: textOf(version) })),
    signed: signed.map(({ version, signer }) => ({ template: textOf(version), signer })),
    audit: await auditActions(t, 'application', id),
  };
}

async function bankTransferOf(id: string) {
  const rows = await t.certdesk.database.db
    .select({ method: payments.method, status: payments.status, amountFen: payments.amountFen, code: payments.remittanceCode })
    .from(payments)
    .where(and(eq(payments.applicationId, id), eq(payments.method, 'bank_transfer')));
  return rows.map(({ code, ...rest }) => ({ ...rest, hasCode: Boolean(code) }));
}

describe('scenario builders', () => {
  it('build at 待审核 and 资料审核通过 what the HTTP way leaves behind', async () => {
    const overHttp = await loggedInApplicant(t);
    const built = await loggedInApplicant(t);
    const viaHttp = await submitOverHttp(overHttp);
    const viaBuilder = await submittedApplication(t, built);

    const walked = await stateOf(viaHttp.id);
    expect(walked.data.status).toBe('pending_review');
    expect(walked.scans).toHaveLength(4);
    expect(await stateOf(viaBuilder.id)).toEqual(walked);
    // The applicant's list reads the same, with its buttons.
    const listed = async (client: typeof built, id: string) => {
      const list = await client.get<{ items: { id: string; number: string; createdAt: string }[] }>('/api/applications');
      const item = list.body.items.find((i) => i.id === id);
      expect(item, id).toBeDefined();
      const { id: _id, number: _number, createdAt: _at, ...rest } = item!;
      return rest;
    };
    const builtItem = await listed(built, viaBuilder.id);
    expect(builtItem).toEqual(await listed(overHttp, viaHttp.id));
    expect(builtItem).toMatchObject({ statusLabel: '待审核', amount: '195.00' });

    const reviewer = await loggedInStaff(t, clock, ['reviewer']);
    const decided = await reviewer.post(`/api/review/applications/${viaHttp.id}/decision`, { decision: 'approve' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await approve(t, clock, viaBuilder.id);
    const approvedHttp = await stateOf(viaHttp.id);
    expect(approvedHttp.data.status).toBe('approved');
    expect(await stateOf(viaBuilder.id)).toEqual(approvedHttp);
    expect(await bankTransferOf(viaBuilder.id)).toEqual(await bankTransferOf(viaHttp.id));
    expect(await bankTransferOf(viaBuilder.id)).toEqual([{ method: 'bank_transfer', status: 'open', amountFen: 19_500, hasCode: true }]);
    const sms = (phone: string, number: string) => waitForSms(t.url, phone, number);
    const builtSms = await sms(built.phone!, viaBuilder.number);
    expect(builtSms.replace(viaBuilder.number, 'N')).toBe((await sms(overHttp.phone!, viaHttp.number)).replace(viaHttp.number, 'N'));
  });
});
