/**
 * The real adapter against the simulator over real HTTP: orders, queries, closing, expiry, refunds,
 * and the signatures on both sides. What passes here is the same wire protocol on both sides; the
 * unit tests in signing.test.ts pin that protocol to WeChat Pay's documented formats.
 */
import { describe, expect, it } from 'vitest';
import { closedPort } from '../aliyun/test-server.ts';
import { simulatedMerchant } from './demo.ts';
import { PATHS } from './protocol.ts';
import { SimulatedPaymentRefused } from './simulator.ts';
import { authorizationHeader, randomNonce, requestSigningMessage, rsaSign, unixSeconds } from './signing.ts';
import { PREFIX, startHarness, useHarness, type Harness } from './test-harness.ts';
import { WechatPayError } from './types.ts';

let h: Harness;
useHarness((started) => (h = started));

async function refusal(promise: Promise<unknown>): Promise<WechatPayError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof WechatPayError)) throw new Error(`expected WechatPayError, got ${String(err)}`);
  return err;
}

describe('Native orders', () => {
  it('creates an order and answers a code_url like the real one', async () => {
    const { codeUrl } = await h.client().createNativeOrder(h.order());
    expect(codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=[A-Za-z0-9]{9}$/);
  });

  it('answers a retried create with the same code_url, and refuses the number for another order', async () => {
    const order = h.order();
    const first = await h.client().createNativeOrder(order);
    const again = await h.client().createNativeOrder(order);
    expect(again.codeUrl).toBe(first.codeUrl);
    const other = await refusal(h.client().createNativeOrder({ ...order, amountFen: 100 }));
    expect([other.gatewayCode, other.retryable, other.httpStatus]).toEqual(['OUT_TRADE_NO_USED', false, 403]);
  });

  it('is NOTPAY until paid, then SUCCESS with the transaction, and a paid number cannot be ordered again', async () => {
    const client = h.client();
    const order = h.order();
    await client.createNativeOrder(order);
    const unpaid = await client.queryOrder(order.outTradeNo);
    expect(unpaid).toMatchObject({ tradeState: 'NOTPAY', amountFen: 19_500, outTradeNo: order.outTradeNo });
    expect(unpaid.transactionId).toBeUndefined();

    const delivery = await h.controls.pay(order.outTradeNo);
    expect(delivery.delivered).toBe(true);
    const paid = await client.queryOrder(order.outTradeNo);
    expect(paid).toMatchObject({
      tradeState: 'SUCCESS',
      amountFen: 19_500,
      payerTotalFen: 19_500,
      mchid: h.pair.merchant.mchid,
      appid: h.pair.merchant.appid,
      attach: 'application=A2026112600001',
    });
    expect(paid.transactionId).toMatch(/^\d{28}$/);
    expect(paid.successTime).toBeInstanceOf(Date);

    const twice = await refusal(client.createNativeOrder(order));
    expect([twice.gatewayCode, twice.retryable]).toEqual(['ORDERPAID', false]);
    await expect(h.controls.pay(order.outTradeNo)).rejects.toBeInstanceOf(SimulatedPaymentRefused);
  });

  it('closes an unpaid order (twice is fine) but refuses to close a paid one', async () => {
    const client = h.client();
    const open = h.order();
    await client.createNativeOrder(open);
    await client.closeOrder(open.outTradeNo);
    await client.closeOrder(open.outTradeNo);
    expect((await client.queryOrder(open.outTradeNo)).tradeState).toBe('CLOSED');
    const reopened = await refusal(client.createNativeOrder(open));
    expect(reopened.gatewayCode).toBe('ORDER_CLOSED');

    const paid = h.order();
    await client.createNativeOrder(paid);
    await h.controls.pay(paid.outTradeNo);
    const err = await refusal(client.closeOrder(paid.outTradeNo));
    expect([err.gatewayCode, err.retryable]).toEqual(['ORDERPAID', false]);
  });

  it('closes an order at its time_expire, and the phone can no longer pay it', async () => {
    const client = h.client();
    const order = h.order({ timeExpire: new Date(Date.now() + 60_000) });
    await client.createNativeOrder(order);
    h.advance(61_000);
    expect((await client.queryOrder(order.outTradeNo)).tradeState).toBe('CLOSED');
    const refused = await h.controls.pay(order.outTradeNo).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SimulatedPaymentRefused);
    expect((refused as SimulatedPaymentRefused).refusal.code).toBe('ORDER_CLOSED');
    expect(h.received).toEqual([]);
  });

  it('says ORDER_NOT_EXIST for an unknown order', async () => {
    const err = await refusal(h.client().queryOrder('CD_NEVER_ORDERED'));
    expect([err.gatewayCode, err.retryable, err.httpStatus]).toEqual(['ORDER_NOT_EXIST', false, 404]);
  });

  it('refuses a malformed order locally, before anything is sent', async () => {
    const bad = await refusal(h.client().createNativeOrder(h.order({ outTradeNo: 'x#1' })));
    expect([bad.gatewayCode, bad.retryable]).toEqual(['PARAM_ERROR', false]);
    const zero = await refusal(h.client().createNativeOrder(h.order({ amountFen: 0 })));
    expect(zero.gatewayCode).toBe('PARAM_ERROR');
    const fraction = await refusal(h.client().createNativeOrder(h.order({ amountFen: 195.5 })));
    expect(fraction.gatewayCode).toBe('PARAM_ERROR');
  });
});

describe('refunds', () => {
  it('refunds a paid order: PROCESSING, then SUCCESS, with a REFUND.SUCCESS notification', async () => {
    const client = h.client();
    const order = h.order();
    await client.createNativeOrder(order);
    await h.controls.pay(order.outTradeNo);
    const refundRequest = {
      outTradeNo: order.outTradeNo,
      outRefundNo: `R${order.outTradeNo}`,
      refundFen: 19_500,
      totalFen: 19_500,
      reason: '申请取消',
      notifyUrl: `${h.base}/notify`,
    };
    const created = await client.refund(refundRequest);
    expect(created).toMatchObject({ status: 'PROCESSING', refundFen: 19_500, totalFen: 19_500, outTradeNo: order.outTradeNo });
    expect(await client.refund(refundRequest)).toMatchObject({ refundId: created.refundId });
    expect((await client.queryOrder(order.outTradeNo)).tradeState).toBe('REFUND');

    await h.controls.settled();
    expect(await client.queryRefund(refundRequest.outRefundNo)).toMatchObject({ refundId: created.refundId, status: 'SUCCESS' });
    const notice = await client.parseNotify(h.received.at(-1) ?? { headers: {}, rawBody: '' });
    expect(notice).toMatchObject({ kind: 'refund', eventType: 'REFUND.SUCCESS', refund: { refundId: created.refundId, status: 'SUCCESS', refundFen: 19_500 } });
  });

  it('refuses to refund more than was paid, an unpaid order and an unknown refund', async () => {
    const client = h.client();
    const order = h.order();
    await client.createNativeOrder(order);
    const unpaid = await refusal(client.refund({ outTradeNo: order.outTradeNo, outRefundNo: 'R-unpaid-1', refundFen: 100, totalFen: 19_500, reason: '测试' }));
    expect(unpaid.gatewayCode).toBe('INVALID_REQUEST');
    await h.controls.pay(order.outTradeNo);
    await client.refund({ outTradeNo: order.outTradeNo, outRefundNo: `R1${order.outTradeNo}`, refundFen: 19_000, totalFen: 19_500, reason: '部分退款' });
    const over = await refusal(client.refund({ outTradeNo: order.outTradeNo, outRefundNo: `R2${order.outTradeNo}`, refundFen: 501, totalFen: 19_500, reason: '超额' }));
    expect([over.gatewayCode, over.retryable]).toEqual(['INVALID_REQUEST', false]);
    const missing = await refusal(client.queryRefund('R-never-made'));
    expect([missing.gatewayCode, missing.httpStatus]).toEqual(['RESOURCE_NOT_EXISTS', 404]);
  });
});

describe('signatures', () => {
  it('the simulator refuses a request signed with another merchant key', async () => {
    const stranger = simulatedMerchant();
    const err = await refusal(h.client({ merchantPrivateKeyPem: stranger.merchant.merchantPrivateKeyPem }).createNativeOrder(h.order()));
    expect([err.gatewayCode, err.retryable, err.httpStatus]).toEqual(['SIGN_ERROR', false, 401]);
  });

  it('the simulator refuses an unknown certificate serial, a request too old, and a replayed nonce', async () => {
    const serial = await refusal(h.client({ merchantSerialNo: 'ABCDEF0123456789' }).queryOrder('CD_NEVER_ORDERED'));
    expect(serial.gatewayCode).toBe('SIGN_ERROR');
    const old = await refusal(h.client({ now: () => new Date(Date.now() - 6 * 60_000) }).queryOrder('CD_NEVER_ORDERED'));
    expect(old.gatewayCode).toBe('SIGN_ERROR');
    const nonce = randomNonce();
    const replaying = h.client({ nonce: () => nonce });
    await refusal(replaying.queryOrder('CD_NEVER_ORDERED'));
    const replayed = await refusal(replaying.queryOrder('CD_NEVER_ORDERED'));
    expect(replayed.gatewayCode).toBe('SIGN_ERROR');
  });

  it('the simulator checks the signature over the exact body and URL', async () => {
    const m = h.pair.merchant;
    const path = `${PREFIX}${PATHS.close('CD_NEVER_ORDERED')}`;
    const timestamp = unixSeconds(new Date());
    const nonce = randomNonce();
    const signed = '{"mchid":"' + m.mchid + '"}';
    const signature = rsaSign(requestSigningMessage('POST', path, timestamp, nonce, signed), m.merchantPrivateKeyPem);
    const res = await fetch(`${h.base}${path}`, {
      method: 'POST',
      headers: {
        Authorization: authorizationHeader({ mchid: m.mchid, nonce_str: nonce, signature, timestamp, serial_no: m.merchantSerialNo }),
        'Content-Type': 'application/json',
      },
      body: `{"mchid": "${m.mchid}"}`,
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'SIGN_ERROR' });
    expect(res.headers.get('wechatpay-signature')).toBeTruthy();
  });

  it('the adapter refuses an answer altered after it was signed', async () => {
    h.controls.alterNextAnswer();
    const err = await refusal(h.client().createNativeOrder(h.order()));
    expect([err.gatewayCode, err.retryable]).toEqual(['BadSignature', false]);
  });

  it('the adapter refuses an answer signed by a key it does not hold for that serial', async () => {
    const stranger = simulatedMerchant();
    const [serial] = Object.keys(h.platformPublicKeys);
    const keys = { [serial ?? '']: Object.values(stranger.merchant.platformPublicKeys)[0] ?? '' };
    const err = await refusal(h.client({ platformPublicKeys: keys }).createNativeOrder(h.order()));
    expect(err.gatewayCode).toBe('BadSignature');
    const unknown = await refusal(h.client({ platformPublicKeys: stranger.merchant.platformPublicKeys }).createNativeOrder(h.order()));
    expect(unknown.gatewayCode).toBe('BadSignature');
  });
});

describe('transport failures', () => {
  it('gives a retryable error when WeChat Pay does not answer in time', async () => {
    const err = await refusal(h.client({ baseUrl: `${h.base}/hang`, timeoutMs: 200 }).createNativeOrder(h.order()));
    expect([err.gatewayCode, err.retryable]).toEqual(['Timeout', true]);
  });

  it('gives a retryable error for a 5xx page that is not WeChat Pay JSON', async () => {
    const err = await refusal(h.client({ baseUrl: `${h.base}/broken` }).queryOrder('CD_ANY_ORDER'));
    expect([err.gatewayCode, err.retryable]).toEqual(['HttpStatus.502', true]);
  });

  it('gives a retryable error when nothing listens', async () => {
    const port = await closedPort();
    const err = await refusal(h.client({ baseUrl: `http://127.0.0.1:${port}` }).queryOrder('CD_ANY_ORDER'));
    expect([err.gatewayCode, err.retryable]).toEqual(['NetworkError', true]);
  });

  it('will not start with an APIv3 key that is not 32 bytes', () => {
    expect(() => h.client({ apiV3Key: 'short' })).toThrow(/APIv3/);
  });
});

describe('the simulator stopping', () => {
  it('ends notification retries and refunds still waiting when its app closes', async () => {
    const slow = await startHarness({ notifyRetryDelaysMs: [3_600_000], refundDelayMs: 3_600_000 });
    const client = slow.client();
    const order = slow.order();
    await client.createNativeOrder(order);
    await slow.controls.pay(order.outTradeNo);
    await client.refund({ outTradeNo: order.outTradeNo, outRefundNo: `R${order.outTradeNo}`, refundFen: 100, totalFen: 19_500, reason: '测试', notifyUrl: `${slow.base}/notify` });
    const second = slow.order();
    await client.createNativeOrder(second);
    slow.notifyAnswers.push(500);
    const retrying = slow.controls.pay(second.outTradeNo);

    await slow.app.close();
    await expect(retrying).rejects.toThrow();
    await slow.controls.settled();
    expect(slow.controls.deliveries().filter((d) => d.eventType === 'REFUND.SUCCESS')).toEqual([]);
  });
});
