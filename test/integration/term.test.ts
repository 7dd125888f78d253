/**
 * 服务年限: the applicant picks a term (1–3 years) beside 证书用途; the price is the first year at the
 * first-application price and each further year at the renewal price; the certificate the 制证员
 * issues is valid for exactly the term paid for (the issue's "validity one year or the paid term").
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { movableClock, startTestApp, type TestApp } from '../support/app.ts';
import { loggedInApplicant, verifiedDraft } from '../support/applicant.ts';
import type { ErrorBody } from '../support/http.ts';
import { issueSoftwareCertificate, producerClient } from '../support/production.ts';
import { paidApplication } from '../support/scenario.ts';

const clock = movableClock();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock: clock.now });
});
afterAll(async () => {
  await t?.close();
});

interface Terms {
  items: { years: number; amount: string }[];
}

const yearsBetween = (from: Date, to: Date) => to.getUTCFullYear() - from.getUTCFullYear();

describe('服务年限', () => {
  it('offers 1–3 years, priced first year + renewal years', async () => {
    const client = await loggedInApplicant(t);
    const terms = (await client.get<Terms>('/api/terms')).body.items;
    expect(terms.map((x) => x.years)).toEqual([1, 2, 3]);
    const fen = terms.map((x) => Math.round(Number(x.amount) * 100));
    // Each further year costs the same (the renewal price), less than or equal to the first year.
    expect(fen[2]! - fen[1]!).toBe(fen[1]! - fen[0]!);
    expect(fen[1]! - fen[0]!).toBeGreaterThan(0);
  });

  it('refuses a term that is not offered, in Chinese', async () => {
    const client = await loggedInApplicant(t);
    const draft = await verifiedDraft(client);
    const res = await client.request<ErrorBody>('PUT', `/api/applications/${draft.id}/form`, {
      projectId: 'nmg-etax',
      invoice: { wanted: false },
      delivery: { method: 'pickup' },
      termYears: 5,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('服务年限只能选择 1 年、2 年或 3 年');
  });

  it('charges the three-year price and issues a certificate valid three years', { timeout: 60_000 }, async () => {
    const { applicant, id } = await paidApplication(t, clock, { termYears: 3 });
    const terms = (await applicant.get<Terms>('/api/terms')).body.items;
    const view = await applicant.get<{ amount: string; termYears: number }>(`/api/applications/${id}`);
    expect(view.body).toMatchObject({ amount: terms[2]!.amount, termYears: 3 });

    const producer = await producerClient(t, clock);
    expect((await producer.post(`/api/production/applications/${id}/start`)).status).toBe(200);
    const serial = await issueSoftwareCertificate(producer, id, 'p256');
    const der = await fetch(`${t.url}/api/applications/${id}/certificates/${serial}.cer`, { headers: { cookie: applicant.cookie ?? '' } });
    const cert = new X509Certificate(Buffer.from(await der.arrayBuffer()));
    const from = new Date(cert.validFrom);
    const to = new Date(cert.validTo);
    expect(yearsBetween(from, to)).toBe(3);
    expect(to.getUTCMonth()).toBe(from.getUTCMonth());
  });

  it('keeps one year (and the one-year price) when no term is chosen', { timeout: 60_000 }, async () => {
    const { applicant, id } = await paidApplication(t, clock);
    const terms = (await applicant.get<Terms>('/api/terms')).body.items;
    const view = await applicant.get<{ amount: string; termYears: number }>(`/api/applications/${id}`);
    expect(view.body).toMatchObject({ amount: terms[0]!.amount, termYears: 1 });
  });
});
