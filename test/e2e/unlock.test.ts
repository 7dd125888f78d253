/**
 * 解锁 in Chromium, from 证书与印章: the holder of a certificate on a USB key (a simulated one,
 * personalised from the CA's master key) presses 解锁, types a serial that is not theirs (该介质不属于
 * 您的证书), then the key's serial and the challenge it shows → 获取验证码 (the SMS to the 经办人, read
 * at /dev/sms) → 获取解锁码: the code on the page unlocks the key.
 */
import { describe, expect, it } from 'vitest';
import { randomPhone } from '../support/app.ts';
import { browserMissing, screenshot } from '../support/browser.ts';
import { certifiedUnit } from '../support/certified.ts';
import { addSessionCookie, openApplicantSession } from '../support/sessions.ts';
import { waitForCode } from '../support/sms.ts';
import { SimulatedUsbKey, unlockMasterKey } from '../support/usb-key.ts';
import { listRow, WIZARD_TIMEOUT, withPage } from './apply.ts';
import { maskedPhone, portalSuite } from './portal.ts';

describe.skipIf(browserMissing !== undefined)('解锁 in the browser', () => {
  const suite = portalSuite();

  it('证书与印章 → 解锁 → 获取验证码 → 获取解锁码 unlocks the USB key', { timeout: WIZARD_TIMEOUT }, async () => {
    const t = suite.app;
    const operatorPhone = randomPhone();
    const serial = `FT${Date.now().toString(36).toUpperCase()}E2E`;
    const unit = await certifiedUnit(t, { usbKeySerial: serial, operatorPhone });
    const key = SimulatedUsbKey.personalise(serial, await unlockMasterKey(t));

    await withPage(suite, 'unlock', async (page) => {
      await addSessionCookie(page.context(), t, await openApplicantSession(t, unit.phone));
      await page.goto('/applications');
      await listRow(page, unit.number).getByRole('button', { name: '证书与印章' }).click();
      await page.getByRole('dialog', { name: `证书与印章（申请单号：${unit.number}）` }).getByRole('button', { name: '解锁' }).click();

      const dialog = page.getByRole('dialog', { name: 'USB Key 解锁' });
      await dialog.getByText(`本证书的 USB Key：${serial.slice(0, 2)}****${serial.slice(-4)}`).waitFor();
      await dialog.getByLabel('介质序列号').fill('FT0000000000OTHER');
      await dialog.getByLabel('挑战码').fill(key.newChallenge());
      await dialog.getByRole('button', { name: '获取验证码' }).click();
      await dialog.getByText('该介质不属于您的证书').waitFor();

      await dialog.getByLabel('介质序列号').fill(serial);
      const challenge = key.newChallenge();
      await dialog.getByLabel('挑战码').fill(challenge);
      await dialog.getByRole('button', { name: '获取验证码' }).click();
      await dialog.getByText(`验证码已发送至经办人手机 ${maskedPhone(operatorPhone)}`).waitFor();
      await dialog.getByLabel('验证码', { exact: true }).fill(await waitForCode(t.url, operatorPhone));
      await dialog.getByRole('button', { name: '获取解锁码' }).click();

      const shown = (await dialog.getByLabel('解锁码').textContent()) ?? '';
      expect(shown).toMatch(/^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
      await screenshot(page, 'portal-unlock.png');
      expect(key.unlock(shown)).toBe(true);
      expect(key.pinLocked).toBe(false);
    });
  });
});
