/**
 * 解锁 over HTTP: the holder names their USB key's serial and the challenge the key shows, the
 * 经办人 gets an SMS code, and the answer unlocks a simulated USB key personalised from the CA's
 * master key (computed independently of the server) — that key for that challenge, no other key
 * and no later challenge. Another holder's key is refused, and so is a key's or a holder's
 * request past its limit, with the time from which to ask again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/domain/phone.ts';
import { recordsOf } from '../../src/modules/audit/records.ts';
import { movableClock, randomPhone, startTestApp, type TestApp } from '../support/app.ts';
import { certifiedUnit, holderClient, type CertifiedUnit } from '../support/certified.ts';
import type { ErrorBody, TestClient } from '../support/http.ts';
import { waitForCode } from '../support/sms.ts';
import { SimulatedUsbKey, unlockMasterKey } from '../support/usb-key.ts';

interface CodeSent {
  requestId: string;
  phoneMasked: string;
}
interface Answer {
  answer: string;
  answerGrouped: string;
  keySerialMasked: string;
}

const clock = movableClock();
let t: TestApp;
let master: Buffer;
beforeAll(async () => {
  t = await startTestApp({ clock: clock.now, config: { unlock: { perKeyPerHour: 2, perHolderPerDay: 3 } } });
  master = await unlockMasterKey(t);
});
afterAll(() => t?.close());

const serialOf = () => `FT${Date.now().toString(36).toUpperCase()}${Math.random().toString(36).slice(2, 8).toUpperCase()}`;

async function unitWithKey() {
  const operatorPhone = randomPhone();
  const usbKeySerial = serialOf();
  const unit = await certifiedUnit(t, { usbKeySerial, operatorPhone });
  return { unit, operatorPhone, key: SimulatedUsbKey.personalise(usbKeySerial, master), holder: await holderClient(t, unit) };
}

const ask = (holder: TestClient, unit: CertifiedUnit, body: { keySerial: string; challenge: string }) =>
  holder.post<CodeSent & ErrorBody>(`/api/applications/${unit.applicationId}/certificates/${unit.serial}/unlock-requests`, body);
const answer = (holder: TestClient, requestId: string, code: string) => holder.post<Answer & ErrorBody>(`/api/unlock-requests/${requestId}/answer`, { code });

describe('解锁', () => {
  let a: Awaited<ReturnType<typeof unitWithKey>>;
  let b: Awaited<ReturnType<typeof unitWithKey>>;
  beforeAll(async () => {
    a = await unitWithKey();
    b = await unitWithKey();
  }, 60_000);

  it('answers the code that unlocks exactly that key for that challenge, once, audited without the code', { timeout: 30_000 }, async () => {
    const challenge = a.key.newChallenge();
    // The holder may type the serial in lower case and the challenge in groups.
    const sent = await ask(a.holder, a.unit, { keySerial: a.key.serial.toLowerCase(), challenge: challenge.replace(/(.{4})/g, '$1 ') });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.phoneMasked).toBe(maskPhone(a.operatorPhone));
    const code = await waitForCode(t.url, a.operatorPhone);

    const wrong = await answer(a.holder, sent.body.requestId, code === '000000' ? '111111' : '000000');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('验证码错误，还可尝试4次');
    // Another holder cannot use this holder's request.
    expect((await answer(b.holder, sent.body.requestId, code)).status).toBe(404);

    const got = await answer(a.holder, sent.body.requestId, code);
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body.answer).toMatch(/^[0-9A-F]{32}$/);
    expect(got.body.answerGrouped.replace(/ /g, '')).toBe(got.body.answer);
    expect(got.headers.get('cache-control')).toBe('no-store');

    // Another key shown the same challenge (a replay) refuses it; so does this key's next challenge.
    const other = SimulatedUsbKey.personalise(b.key.serial, master);
    expect(other.unlockWith(challenge, got.body.answer)).toBe(false);
    expect(a.key.unlock(got.body.answer)).toBe(true);
    expect(a.key.pinLocked).toBe(false);
    a.key.newChallenge();
    expect(a.key.unlock(got.body.answer)).toBe(false);

    // Used up: the same SMS code gives nothing more.
    expect((await answer(a.holder, sent.body.requestId, code)).body.error.message).toContain('验证码错误或已失效');

    const records = await recordsOf(t.certdesk.database.db, 'application', a.unit.applicationId);
    const unlock = records.filter((r) => r.action === 'usb_key.unlock');
    expect(unlock).toHaveLength(1);
    expect(JSON.stringify(unlock[0])).toContain(`${a.key.serial.slice(0, 2)}****${a.key.serial.slice(-4)}`);
    expect(JSON.stringify(records)).not.toContain(got.body.answer);
    expect(JSON.stringify(unlock[0])).not.toContain(a.key.serial);
  });

  it('refuses a key of another holder, another holder’s certificate, and a malformed challenge', async () => {
    const mistaken = await ask(a.holder, a.unit, { keySerial: b.key.serial, challenge: b.key.newChallenge() });
    expect(mistaken.status).toBe(403);
    expect(mistaken.body.error.message).toContain('该介质不属于您的证书');
    const theirs = await ask(a.holder, b.unit, { keySerial: b.key.serial, challenge: b.key.newChallenge() });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.message).toBe('证书不存在');
    const malformed = await ask(a.holder, a.unit, { keySerial: a.key.serial, challenge: '12AB' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toContain('挑战码应为 16 位或 32 位十六进制字符');
  });

  it('limits a key per hour and a holder per day, saying when to ask again', { timeout: 60_000 }, async () => {
    const c = await unitWithKey();
    // A fresh session each time: the clock moves past the session's idle limit.
    const request = async () => ask(await holderClient(t, c.unit), c.unit, { keySerial: c.key.serial, challenge: c.key.newChallenge() });
    expect((await request()).status).toBe(200);
    clock.advance(600);
    expect((await request()).status).toBe(200);
    const perKey = await request();
    expect(perKey.status).toBe(429);
    // The time, and the date too when that is past midnight in Beijing (the run's clock is the machine's).
    expect(perKey.body.error.message).toMatch(/^操作过于频繁，请于(\d+月\d+日 )?\d\d:\d\d后再试$/);

    clock.advance(3000);
    expect((await request()).status).toBe(200);
    // The third in 24 hours was the holder's last.
    clock.advance(3600);
    const perHolder = await request();
    expect(perHolder.status).toBe(429);
    expect(perHolder.body.error.message).toMatch(/^操作过于频繁，请于(\d+月\d+日 )?\d\d:\d\d后再试$/);
    expect(perHolder.body.error.details?.['retryAfterSeconds']).toBeGreaterThan(20 * 3600);
  });
});
