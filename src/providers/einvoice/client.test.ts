/**
 * The real adapter against the simulator over real HTTP on 127.0.0.1: a 数电票 issued and fetched
 * (its PDF read back with pdftotext), 专票, repeated orders, refused buyers, failures at the
 * bureau, red invoices through their 红字确认单, and the platform failing, hanging or gone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skipWithout } from '../../pdf/testing.ts';
import { closedPort } from '../aliyun/test-server.ts';
import { CODES } from './protocol.ts';
import { BUYER_USCC, TEST_TOKEN, orderNo, useHarness, type Harness } from './test-harness.ts';
import { EInvoiceError, type InvoiceResult, type IssuedInvoice } from './types.ts';

let h: Harness;
useHarness((started) => (h = started));

const poppler = !skipWithout('电子发票 PDF 文本检查', { font: true, tools: ['pdftotext'] });

function pdfText(pdf: Uint8Array): string {
  const file = join(mkdtempSync(join(tmpdir(), 'certdesk-einvoice-')), 'invoice.pdf');
  writeFileSync(file, pdf);
  return execFileSync('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

async function refusal(promise: Promise<unknown>): Promise<EInvoiceError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof EInvoiceError)) throw new Error(`expected EInvoiceError, got ${String(err)}`);
  return err;
}

function issued(result: InvoiceResult): IssuedInvoice {
  if (result.status !== 'issued') throw new Error(`expected an issued invoice, got ${JSON.stringify(result)}`);
  return result.invoice;
}

const specialBuyer = {
  name: '内蒙古草原云数据有限公司',
  taxNumber: BUYER_USCC,
  address: '内蒙古自治区呼和浩特市赛罕区腾飞路9号',
  phone: '0471-6661234',
  bank: '中国银行呼和浩特分行',
  account: '150201123456789012',
};

describe('blue invoices', () => {
  it('submits, is 开票中 for a moment, then issued with its number, amounts and PDF', async () => {
    const client = h.client();
    const request = h.request();
    // Held at the bureau until looked at: 开票中 whatever the machine's load.
    const release = h.controls.hold();
    const { serialNo } = await client.issue(request);
    expect(serialNo).toMatch(/^\d{20}$/);
    const first = await client.query(request.orderNo);
    release();
    expect(first).toEqual({ status: 'pending', message: '开票中' });

    const invoice = issued(await h.settle(client, request.orderNo));
    expect(invoice).toMatchObject({
      orderNo: request.orderNo,
      serialNo,
      kind: 'normal',
      red: false,
      amounts: { totalFen: 16_000, amountFen: 15_094, taxFen: 906 },
      buyerName: '内蒙古草原云数据有限公司',
      buyerTaxNumber: BUYER_USCC,
    });
    // 20 digits: year, the seller's province (15 内蒙古 from its credit code), channel, sequence.
    expect(invoice.number).toMatch(new RegExp(`^\\d{2}152\\d{15}$`));
    expect(invoice.issuedAt).toBeInstanceOf(Date);
    expect(Buffer.from(invoice.pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(Buffer.from(invoice.xml ?? new Uint8Array()).toString()).toContain(`<EIid>${invoice.number}</EIid>`);
    expect(h.controls.pdf(invoice.number)).toEqual(invoice.pdf);
    // The simulator kept what it issued, for /dev/invoices.
    expect(h.controls.invoices().find((i) => i.orderNo === request.orderNo)).toMatchObject({ number: invoice.number, status: '2' });
  });

  it.skipIf(!poppler)('prints the 电子发票 layout: title, number, date, both parties, the line and the totals', async () => {
    const client = h.client();
    const request = h.request();
    await client.issue(request);
    const invoice = issued(await h.settle(client, request.orderNo));
    // In drawing order (-raw), without spaces and line breaks: the vertical 购买方信息 is one character a line.
    const text = pdfText(invoice.pdf).replace(/\s+/g, '');
    for (const expected of [
      '电子发票（普通发票）',
      `发票号码：${invoice.number}`,
      '开票日期：',
      '购买方信息',
      '内蒙古草原云数据有限公司',
      BUYER_USCC,
      '销售方信息',
      h.config.seller.name,
      h.config.seller.taxNumber,
      '*信息技术服务*数字证书服务费',
      '150.94',
      '6%',
      '9.06',
      '¥150.94',
      '¥9.06',
      '价税合计（大写）',
      '壹佰陆拾圆整',
      '（小写）',
      '¥160.00',
      '申请单号 CD20261125000123',
      `开票人：${h.config.clerk}`,
    ]) {
      expect(text).toContain(expected.replace(/\s+/g, ''));
    }
  });

  it.skipIf(!poppler)('issues a 专票 with the buyer’s address, phone and bank printed', async () => {
    const client = h.client();
    const request = h.request({ kind: 'special', buyer: specialBuyer, totalFen: 19_500 });
    await client.issue(request);
    const invoice = issued(await h.settle(client, request.orderNo));
    expect(invoice).toMatchObject({ kind: 'special', amounts: { totalFen: 19_500, amountFen: 18_396, taxFen: 1_104 } });
    const text = pdfText(invoice.pdf);
    expect(text).toContain('电子发票（增值税专用发票）');
    expect(text).toContain('中国银行呼和浩特分行 150201123456789012');
    expect(text).toContain('0471-6661234');
    expect(text).toContain('壹佰玖拾伍圆整');
  });

  it('answers a repeated order with the invoice already submitted, and never issues twice', async () => {
    const client = h.client();
    const request = h.request();
    const first = await client.issue(request);
    const again = await client.issue(request);
    expect(again.serialNo).toBe(first.serialNo);
    expect(h.controls.invoices().filter((i) => i.orderNo === request.orderNo)).toHaveLength(1);
    // The same number for a different amount is someone else's invoice: a person must look.
    const other = await refusal(client.issue({ ...request, totalFen: 100 }));
    expect([other.code, other.retryable]).toEqual([CODES.duplicateOrder, false]);
    expect(other.message).toContain('已用于另一张发票');
  });

  it('reports a failure at the tax bureau with its reason in Chinese', async () => {
    const client = h.client();
    const request = h.request();
    h.controls.failNextIssuance(1, '开票失败：可用授信额度不足');
    await client.issue(request);
    expect(await h.settle(client, request.orderNo)).toEqual({ status: 'failed', code: 'Status.22', message: '开票失败：可用授信额度不足' });
  });

  it('knows nothing of an order never submitted', async () => {
    expect(await h.client().query(orderNo('NONE'))).toEqual({ status: 'not_found' });
  });
});

describe('buyers refused', () => {
  it('refuses a 税号 that breaks the USCC rule before anything is sent', async () => {
    const before = h.controls.invoices().length;
    const err = await refusal(h.client().issue(h.request({ buyer: { name: '某公司', taxNumber: '91150105MA0N2Q5X1K' } })));
    expect([err.code, err.retryable]).toEqual(['BuyerInvalid', false]);
    expect(err.message).toBe('购买方纳税人识别号有误：统一社会信用代码校验位不正确，请核对后重新输入');
    expect(h.controls.invoices()).toHaveLength(before);
  });

  it('refuses a 专票 without bank and account, naming them', async () => {
    const { bank: _bank, account: _account, ...withoutBank } = specialBuyer;
    const err = await refusal(h.client().issue(h.request({ kind: 'special', buyer: withoutBank })));
    expect(err.code).toBe('BuyerInvalid');
    expect(err.message).toBe('开具增值税专用发票须填写购买方开户行；开具增值税专用发票须填写购买方银行账号');
  });
});

describe('red invoices', () => {
  async function blue(kind: 'normal' | 'special' = 'normal'): Promise<IssuedInvoice> {
    const client = h.client();
    const request = kind === 'normal' ? h.request() : h.request({ kind, buyer: specialBuyer });
    await client.issue(request);
    return issued(await h.settle(client, request.orderNo));
  }

  const original = (b: IssuedInvoice) => ({ number: b.number, kind: b.kind, buyerName: b.buyerName, buyerTaxNumber: b.buyerTaxNumber });

  it('reverses a blue invoice in full through a 红字确认单: negative amounts naming the blue number', async () => {
    const client = h.client();
    const b = await blue();
    const red = orderNo('CDR');
    const { confirmationId } = await client.redInvoice({ orderNo: red, original: original(b), reason: 'stopped' });
    expect(confirmationId).toBe(red);
    const invoice = issued(await h.settle(client, red));
    expect(invoice).toMatchObject({
      orderNo: red,
      red: true,
      kind: 'normal',
      originalNumber: b.number,
      amounts: { totalFen: -16_000, amountFen: -15_094, taxFen: -906 },
      buyerTaxNumber: BUYER_USCC,
    });
    expect(invoice.number).not.toBe(b.number);
    if (poppler) {
      const text = pdfText(invoice.pdf);
      expect(text).toContain('¥-160.00');
      expect(text).toContain('负壹佰陆拾圆整');
      expect(text).toContain(`被红冲蓝字数电发票号码：${b.number}`);
    }
    // Asking again with the same number applies once; another reversal of the same blue is refused.
    expect(await client.redInvoice({ orderNo: red, original: original(b), reason: 'stopped' })).toEqual({ confirmationId: red });
    const twice = await refusal(client.redInvoice({ orderNo: orderNo('CDR'), original: original(b), reason: 'stopped' }));
    expect([twice.code, twice.retryable]).toEqual([CODES.badParameter, false]);
    expect(twice.message).toContain('该蓝字发票已申请红字确认单');
  });

  it('reverses a 专票 too', async () => {
    const client = h.client();
    const b = await blue('special');
    const red = orderNo('CDR');
    await client.redInvoice({ orderNo: red, original: original(b), reason: 'mistake' });
    expect(issued(await h.settle(client, red))).toMatchObject({ kind: 'special', red: true, originalNumber: b.number });
  });

  it('waits while the buyer of a used 专票 must confirm, and reports a denied form as failed', async () => {
    const client = h.client();
    const confirmed = await blue('special');
    h.controls.redNeedsBuyer(2);
    const red = orderNo('CDR');
    await client.redInvoice({ orderNo: red, original: original(confirmed), reason: 'stopped' });
    expect(await client.query(red)).toEqual({ status: 'pending', message: '红字确认单销方录入待购方确认，红字发票开具中' });
    h.controls.buyerAnswers(red, true);
    expect(issued(await h.settle(client, red))).toMatchObject({ red: true, originalNumber: confirmed.number, amounts: { totalFen: -16_000 } });

    const denied = await blue('special');
    const refused = orderNo('CDR');
    await client.redInvoice({ orderNo: refused, original: original(denied), reason: 'stopped' });
    h.controls.buyerAnswers(refused, false);
    expect(await client.query(refused)).toEqual({ status: 'failed', code: 'RedConfirm.05', message: '作废（销方录入购方否认）' });
    // A void form does not stand in the way of another reversal.
    const again = orderNo('CDR');
    await client.redInvoice({ orderNo: again, original: original(denied), reason: 'stopped' });
    expect((await h.settle(client, again)).status).toBe('issued');
  });

  it('refuses to reverse an invoice the platform never issued', async () => {
    const err = await refusal(
      h.client().redInvoice({ orderNo: orderNo('CDR'), original: { number: '26152000000999999999', kind: 'normal', buyerName: '某公司', buyerTaxNumber: BUYER_USCC }, reason: 'stopped' }),
    );
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('蓝字发票 26152000000999999999 不存在或未开具完成');
  });
});

describe('signatures and credentials', () => {
  it('is refused with a wrong appSecret, as the platform refuses a bad signature', async () => {
    const err = await refusal(h.client({ appSecret: 'not-the-secret', accessToken: TEST_TOKEN }).query(orderNo()));
    expect([err.code, err.retryable]).toEqual([CODES.badSignature, false]);
    expect(err.message).toContain('签名验证失败');
  });

  it('is refused with an unknown appKey or token', async () => {
    const appKey = await refusal(h.client({ appKey: 'unknown-app', accessToken: TEST_TOKEN }).query(orderNo()));
    expect([appKey.code, appKey.retryable]).toEqual([CODES.badAppKey, false]);
    const token = await refusal(h.client({ accessToken: 'expired-token' }).query(orderNo()));
    expect([token.code, token.retryable]).toEqual([CODES.badToken, false]);
    // Without a token of its own, wrong credentials stop at the token endpoint.
    const fetched = await refusal(h.client({ appSecret: 'not-the-secret' }).query(orderNo()));
    expect([fetched.code, fetched.retryable, fetched.httpStatus]).toEqual(['Token', false, 400]);
  });

  it('is refused when its clock is far from the platform’s', async () => {
    const late = await refusal(h.client({ accessToken: TEST_TOKEN, now: () => new Date(Date.now() + 3600_000) }).query(orderNo()));
    expect([late.code, late.retryable]).toEqual([CODES.badEnvelope, false]);
    expect(late.message).toContain('时间戳已过期');
  });
});

describe('a failing platform', () => {
  it('throws a retryable error while the platform is down, and works once it is back', async () => {
    const client = h.client();
    const request = h.request();
    h.controls.down();
    try {
      const err = await refusal(client.issue(request));
      expect([err.code, err.retryable]).toEqual(['NetworkError', true]);
    } finally {
      h.controls.up();
    }
    await client.issue(request);
    expect((await h.settle(client, request.orderNo)).status).toBe('issued');
  });

  it('retries gateway errors and the call limit, not refusals', async () => {
    const client = h.client({ accessToken: TEST_TOKEN });
    h.controls.failNext(1);
    const gateway = await refusal(client.query(orderNo()));
    expect([gateway.code, gateway.retryable, gateway.httpStatus]).toEqual(['HttpStatus.502', true, 502]);
    h.controls.failNext(1, { status: 200, body: '<html>维护中</html>' });
    const page = await refusal(client.query(orderNo()));
    expect([page.code, page.retryable]).toEqual(['BadAnswer', true]);
    h.controls.failNext(1, { code: CODES.callLimit, describe: 'accessToken调用次数已达上限' });
    const limit = await refusal(client.query(orderNo()));
    expect([limit.code, limit.retryable]).toEqual([CODES.callLimit, true]);
    expect(limit.message).toContain('调用次数已达上限');
  });

  it('gives up on a platform that does not answer, retryably', async () => {
    h.controls.hangNext(1);
    const err = await refusal(h.client({ accessToken: TEST_TOKEN, timeoutMs: 300 }).query(orderNo()));
    expect([err.code, err.retryable]).toEqual(['Timeout', true]);
  });

  it('throws a retryable error when nothing listens at all', async () => {
    const port = await closedPort();
    const err = await refusal(h.client({ endpoint: `http://127.0.0.1:${port}/open/v1/services`, accessToken: TEST_TOKEN }).query(orderNo()));
    expect([err.code, err.retryable]).toEqual(['NetworkError', true]);
  });
});
