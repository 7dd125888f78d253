/**
 * Notifications from the simulator to a merchant endpoint, opened by the real adapter: the genuine
 * one, retries, replays, and each forgery the payments module must never believe.
 */
import { describe, expect, it } from 'vitest';
import { useHarness, type Harness } from './test-harness.ts';
import { NOTIFY_ACCEPTED, WechatNotifyError, type NotifyInput, type NotifyRejection, type WechatNotification } from './types.ts';

let h: Harness;
useHarness((started) => (h = started));

async function paidOrder(): Promise<string> {
  const order = h.order();
  await h.client().createNativeOrder(order);
  return order.outTradeNo;
}

function lastReceived(): NotifyInput {
  const last = h.received.at(-1);
  if (!last) throw new Error('no notification arrived');
  return last;
}

async function rejection(input: NotifyInput): Promise<WechatNotifyError> {
  const err: unknown = await h.client().parseNotify(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof WechatNotifyError)) throw new Error(`expected WechatNotifyError, got ${String(err)}`);
  return err;
}

function transactionOf(notice: WechatNotification) {
  if (notice.kind !== 'transaction') throw new Error(`expected a transaction, got ${notice.kind}`);
  return notice.transaction;
}

describe('a genuine payment notification', () => {
  it('arrives when the payer pays, and opens to the transaction with the right amount', async () => {
    const outTradeNo = await paidOrder();
    const delivery = await h.controls.pay(outTradeNo);
    expect(delivery).toMatchObject({ delivered: true, attempts: 1, eventType: 'TRANSACTION.SUCCESS', outTradeNo });
    expect(h.received).toHaveLength(1);

    const notice = await h.client().parseNotify(lastReceived());
    expect(notice).toMatchObject({ kind: 'transaction', id: delivery.id, eventType: 'TRANSACTION.SUCCESS' });
    const transaction = transactionOf(notice);
    expect(transaction).toMatchObject({
      tradeState: 'SUCCESS',
      outTradeNo,
      amountFen: 19_500,
      payerTotalFen: 19_500,
      mchid: h.pair.merchant.mchid,
      appid: h.pair.merchant.appid,
    });
    expect(transaction.transactionId).toBe((await h.client().queryOrder(outTradeNo)).transactionId);
  });

  it('is sent as WeChat Pay sends it: encrypted resource, Wechatpay-* headers', async () => {
    await h.controls.pay(await paidOrder());
    const { headers, rawBody } = lastReceived();
    const body = JSON.parse(String(rawBody)) as Record<string, unknown>;
    expect(body).toMatchObject({
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      resource: { algorithm: 'AEAD_AES_256_GCM', associated_data: 'transaction', original_type: 'transaction' },
    });
    expect(String(rawBody)).not.toContain('19500');
    expect(headers['wechatpay-serial']).toMatch(/^PUB_KEY_ID_/);
    expect(headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
    expect(headers['wechatpay-nonce']).toBeTruthy();
    expect(headers['wechatpay-timestamp']).toMatch(/^\d+$/);
  });

  it('is retried, re-signed, until the merchant answers 2xx', async () => {
    h.notifyAnswers.push(500, 404);
    const delivery = await h.controls.pay(await paidOrder());
    expect(delivery).toMatchObject({ delivered: true, attempts: 3, outcomes: [500, 404, 204] });
    expect(h.received).toHaveLength(3);
    const ids = await Promise.all(h.received.map(async (r) => (await h.client().parseNotify(r)).id));
    expect(new Set(ids)).toEqual(new Set([delivery.id]));
  });

  it('is given up after the configured retries', async () => {
    h.notifyAnswers.push(500, 500, 500, 500);
    const delivery = await h.controls.pay(await paidOrder());
    expect(delivery).toMatchObject({ delivered: false, attempts: 4 });
  });

  it('replayed, still opens, with the same id: deduplication is the payments module’s job', async () => {
    const first = await h.controls.pay(await paidOrder());
    const again = await h.controls.replay(first.id);
    expect(again).toMatchObject({ id: first.id, replay: true, delivered: true });
    const [a, b] = await Promise.all(h.received.map((r) => h.client().parseNotify(r)));
    expect(a?.id).toBe(first.id);
    expect(b?.id).toBe(first.id);
    expect(transactionOf(b!).transactionId).toBe(transactionOf(a!).transactionId);
  });

  it('can be delayed or dropped; the order is paid either way', async () => {
    h.controls.notifyFaults.failNext(1, { kind: 'delay', ms: 30 });
    const delayed = await h.controls.pay(await paidOrder());
    expect(delayed).toMatchObject({ fault: 'delay', delivered: true });

    const dropped = await paidOrder();
    h.controls.notifyFaults.failNext(1, { kind: 'drop' });
    const drop = await h.controls.pay(dropped);
    expect(drop).toMatchObject({ fault: 'drop', delivered: false, attempts: 0 });
    expect(h.received).toHaveLength(1);
    expect((await h.client().queryOrder(dropped)).tradeState).toBe('SUCCESS');
  });
});

describe('notifications the adapter refuses', () => {
  async function forged(fault: Parameters<Harness['controls']['notifyFaults']['failNext']>[1], reason: NotifyRejection): Promise<WechatNotifyError> {
    h.controls.notifyFaults.failNext(1, fault);
    const delivery = await h.controls.pay(await paidOrder());
    expect(delivery).toMatchObject({ fault: fault.kind, attempts: 1 });
    const err = await rejection(lastReceived());
    expect(err.reason).toBe(reason);
    return err;
  }

  it('a bad signature', async () => {
    const err = await forged({ kind: 'bad-signature' }, 'forged');
    expect(err.answer).toEqual({ status: 401, body: { code: 'FAIL', message: '通知验证失败' } });
  });

  it('a tampered amount, validly signed by a key that is not the platform’s', async () => {
    await forged({ kind: 'foreign-key', amountFen: 1 }, 'forged');
  });

  it('a stale timestamp, even correctly signed', async () => {
    await forged({ kind: 'stale' }, 'stale');
  });

  it('a resource encrypted under another APIv3 key', async () => {
    const err = await forged({ kind: 'wrong-apiv3-key' }, 'undecryptable');
    expect(err.answer.status).toBe(400);
  });

  it('WeChat Pay’s WECHATPAY/SIGNTEST/ probe', async () => {
    await forged({ kind: 'signature-probe' }, 'forged');
  });

  it('but the genuine one, replayed after a forgery, opens', async () => {
    h.controls.notifyFaults.failNext(1, { kind: 'foreign-key', amountFen: 1 });
    const forgedDelivery = await h.controls.pay(await paidOrder());
    await h.controls.replay(forgedDelivery.id);
    const notice = await h.client().parseNotify(lastReceived());
    expect(transactionOf(notice).amountFen).toBe(19_500);
  });

  it('a genuine notification for another app', async () => {
    await h.controls.pay(await paidOrder());
    await h.client().parseNotify(lastReceived());
    const other = await h.client({ appid: 'wx0000000000000000' }).parseNotify(lastReceived()).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(WechatNotifyError);
    expect((other as WechatNotifyError).reason).toBe('wrong_merchant');
  });

  it('a body changed in transit, or not a notification at all', async () => {
    await h.controls.pay(await paidOrder());
    const { headers, rawBody } = lastReceived();
    expect((await rejection({ headers, rawBody: `${String(rawBody)} ` })).reason).toBe('forged');
    expect((await rejection({ headers: {}, rawBody })).reason).toBe('forged');
    expect(NOTIFY_ACCEPTED).toEqual({ status: 204 });
  });

  it('a notification whose clock is five minutes off, ours moved instead of theirs', async () => {
    await h.controls.pay(await paidOrder());
    const input = lastReceived();
    h.advance(5 * 60_000 + 1_000);
    expect((await rejection(input)).reason).toBe('stale');
  });
});
