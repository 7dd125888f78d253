/**
 * The page that plays the payer's phone: what it shows, that it escapes everything, and that paying
 * through it marks the order paid and notifies the merchant, as a browser test will use it.
 */
import { describe, expect, it } from 'vitest';
import { payPageUrl, renderPayPage } from './pay-page.ts';
import { useHarness, type Harness } from './test-harness.ts';

describe('renderPayPage', () => {
  it('shows merchant, description and amount in yuan, with 确认支付', () => {
    const html = renderPayPage({
      kind: 'confirm',
      merchantName: 'CertDesk 数字证书认证中心',
      description: 'CertDesk-单位数字证书及电子印章',
      amountFen: 19_500,
      outTradeNo: 'CD20261126001',
      codeUrl: 'weixin://wxpay/bizpayurl?pr=AbC123xyz',
      action: '/sim/wechatpay/pay',
    });
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('¥195.00');
    expect(html).toContain('CertDesk 数字证书认证中心');
    expect(html).toContain('CertDesk-单位数字证书及电子印章');
    expect(html).toContain('确认支付');
    expect(html).toContain('value="weixin://wxpay/bizpayurl?pr=AbC123xyz"');
    expect(html).not.toContain('<script');
  });

  it('escapes everything it shows', () => {
    const html = renderPayPage({
      kind: 'confirm',
      merchantName: '<b>商户</b>',
      description: `<script>alert("x")</script> & 'q'`,
      amountFen: 1,
      outTradeNo: '"><img src=x>',
      codeUrl: 'weixin://wxpay/bizpayurl?pr="><script>',
      action: '/sim/wechatpay/pay',
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
    expect(html).toContain('¥0.01');
  });

  it('says 支付成功 after paying, and why when it cannot pay', () => {
    expect(renderPayPage({ kind: 'paid', merchantName: 'M', description: 'D', amountFen: 19_500 })).toContain('支付成功');
    expect(renderPayPage({ kind: 'refused', message: '<该订单已支付>' })).toContain('&lt;该订单已支付&gt;');
  });

  it('maps a code_url to the page under the simulator', () => {
    expect(payPageUrl('weixin://wxpay/bizpayurl?pr=AbC123xyz')).toBe('/sim/wechatpay/pay?code_url=weixin%3A%2F%2Fwxpay%2Fbizpayurl%3Fpr%3DAbC123xyz');
    expect(payPageUrl('weixin://wxpay/bizpayurl?pr=A', '/elsewhere')).toMatch(/^\/elsewhere\/pay\?code_url=/);
  });
});

describe('the pay page served by the simulator', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  async function page(path: string, init?: RequestInit): Promise<{ status: number; html: string }> {
    const res = await fetch(`${h.base}${path}`, init);
    return { status: res.status, html: await res.text() };
  }

  function confirm(codeUrl: string): RequestInit {
    return {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code_url: codeUrl }).toString(),
    };
  }

  it('pays through the form: 支付成功, the order SUCCESS, the merchant notified', async () => {
    const order = h.order();
    const { codeUrl } = await h.client().createNativeOrder(order);

    const shown = await page(payPageUrl(codeUrl));
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('¥195.00');
    expect(shown.html).toContain('确认支付');
    expect(shown.html).toContain('action="/sim/wechatpay/pay"');

    const paid = await page('/sim/wechatpay/pay', confirm(codeUrl));
    expect(paid.status).toBe(200);
    expect(paid.html).toContain('支付成功');
    await h.controls.settled();
    expect((await h.client().queryOrder(order.outTradeNo)).tradeState).toBe('SUCCESS');
    const notice = await h.client().parseNotify(h.received.at(-1) ?? { headers: {}, rawBody: '' });
    expect(notice.kind === 'transaction' && notice.transaction.amountFen).toBe(19_500);

    const again = await page(payPageUrl(codeUrl));
    expect(again.status).toBe(409);
    expect(again.html).toContain('该订单已支付');
    expect((await page('/sim/wechatpay/pay', confirm(codeUrl))).html).toContain('该订单已支付');
  });

  it('will not pay a closed or expired order, nor an unknown code', async () => {
    const closed = h.order();
    const { codeUrl } = await h.client().createNativeOrder(closed);
    await h.client().closeOrder(closed.outTradeNo);
    expect((await page(payPageUrl(codeUrl))).html).toContain('订单已关闭');

    const expiring = h.order({ timeExpire: new Date(Date.now() + 60_000) });
    const expired = await h.client().createNativeOrder(expiring);
    h.advance(60_000);
    const late = await page('/sim/wechatpay/pay', confirm(expired.codeUrl));
    expect(late.status).toBe(409);
    expect(late.html).toContain('二维码已过期');

    const unknown = await page(payPageUrl('weixin://wxpay/bizpayurl?pr=NoSuchOne'));
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('二维码无效');
    expect(h.received).toEqual([]);
  });
});
