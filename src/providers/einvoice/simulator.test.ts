/**
 * The simulator on its own, spoken to the way the platform's SDKs speak (a signed POST built here,
 * not by the adapter): what it refuses and with which code and Chinese message, so that the
 * adapter's checks are not the only thing standing between CertDesk and a wrong invoice.
 */
import { describe, expect, it } from 'vitest';
import { CODES, METHODS, type Order } from './protocol.ts';
import { newNonce, newSenid, nuonuoSign, unixSeconds } from './signing.ts';
import { BUYER_USCC, TEST_TOKEN, orderNo, useHarness, type Harness } from './test-harness.ts';

let h: Harness;
useHarness((started) => (h = started));

interface Sent {
  senid?: string;
  secret?: string;
  /** Sent instead of the body that was signed. */
  tamperedBody?: string;
  method?: string;
}

async function call(method: string, payload: unknown, sent: Sent = {}): Promise<{ code: string; describe: string; result?: unknown }> {
  const body = JSON.stringify(payload);
  const senid = sent.senid ?? newSenid();
  const nonce = newNonce();
  const timestamp = unixSeconds(new Date());
  const url = new URL(h.endpoint);
  url.search = new URLSearchParams({ senid, nonce, timestamp, appkey: h.config.appKey }).toString();
  const sign = nuonuoSign(sent.secret ?? h.config.appSecret, { path: url.pathname, appKey: h.config.appKey, senid, nonce, timestamp, body });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Nuonuo-Sign': sign, accessToken: TEST_TOKEN, userTax: h.config.seller.taxNumber, method: sent.method ?? method },
    body: sent.tamperedBody ?? body,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { code: string; describe: string; result?: unknown };
}

function order(overrides: Partial<Order> = {}): Order {
  return {
    buyerName: '内蒙古草原云数据有限公司',
    buyerTaxNum: BUYER_USCC,
    buyerTel: '',
    buyerAddress: '',
    buyerAccount: '',
    salerTaxNum: h.config.seller.taxNumber,
    salerTel: h.config.seller.phone,
    salerAddress: h.config.seller.address,
    salerAccount: h.config.seller.bankAccount,
    orderNo: orderNo('RAW'),
    invoiceDate: '2026-11-25 10:30:00',
    clerk: '王会计',
    pushMode: '-1',
    invoiceType: '1',
    invoiceLine: 'pc',
    invoiceDetail: [
      {
        goodsName: '信息技术服务*数字证书服务费',
        goodsCode: '3040205000000000000',
        withTaxFlag: '1',
        num: '1',
        price: '160.00',
        tax: '9.06',
        taxRate: '0.06',
        taxExcludedAmount: '150.94',
        taxIncludedAmount: '160.00',
      },
    ],
    ...overrides,
  };
}

const detail = (overrides: Partial<Order['invoiceDetail'][number]>) => [{ ...order().invoiceDetail[0]!, ...overrides }];

describe('the gateway', () => {
  it('accepts a request signed as the SDKs sign it, once', async () => {
    const senid = newSenid();
    const first = await call(METHODS.issue, { order: order() }, { senid });
    expect(first).toMatchObject({ code: CODES.success, describe: '开票提交成功', result: { invoiceSerialNum: expect.stringMatching(/^\d{20}$/) } });
    const replayed = await call(METHODS.issue, { order: order() }, { senid });
    expect(replayed).toEqual({ code: CODES.badEnvelope, describe: 'senid重复，疑似重放请求' });
  });

  it('refuses a body changed after signing, and a signature made with another secret', async () => {
    const payload = { order: order() };
    const changed = JSON.stringify({ order: { ...payload.order, invoiceDetail: detail({ taxIncludedAmount: '1.00' }) } });
    expect(await call(METHODS.issue, payload, { tamperedBody: changed })).toEqual({ code: CODES.badSignature, describe: '签名验证失败' });
    expect(await call(METHODS.query, { orderNos: ['X'] }, { secret: 'another-secret' })).toEqual({ code: CODES.badSignature, describe: '签名验证失败' });
  });

  it('refuses an API it does not offer', async () => {
    expect(await call('nuonuo.OpeMplatform.invoiceCancellation', {})).toEqual({ code: CODES.badEnvelope, describe: '不支持的API方法：nuonuo.OpeMplatform.invoiceCancellation' });
  });
});

describe('requestBillingNew', () => {
  it('refuses a bad 税号 with its code and the reason in Chinese', async () => {
    expect(await call(METHODS.issue, { order: order({ buyerTaxNum: '91150105MA0N2Q5X1K' }) })).toEqual({
      code: CODES.badParameter,
      describe: '购买方纳税人识别号有误：统一社会信用代码校验位不正确，请核对后重新输入',
    });
    expect((await call(METHODS.issue, { order: order({ buyerTaxNum: '' }) })).describe).toBe('请填写购买方纳税人识别号（统一社会信用代码）');
  });

  it('refuses a 专票 without the buyer’s bank account, and accepts it with one', async () => {
    const special = { invoiceLine: 'bs', buyerAddress: '呼和浩特市腾飞路9号', buyerTel: '0471-6661234' };
    const refused = await call(METHODS.issue, { order: order({ ...special, buyerAccount: '中国银行呼和浩特分行' }) });
    expect(refused).toEqual({ code: CODES.badParameter, describe: '开具增值税专用发票须填写购买方银行账号' });
    const accepted = await call(METHODS.issue, { order: order({ ...special, buyerAccount: '中国银行呼和浩特分行 150201123456789012' }) });
    expect(accepted.code).toBe(CODES.success);
  });

  it('checks the amounts: parts adding up, 税额 within 0.06 元, positive', async () => {
    expect((await call(METHODS.issue, { order: order({ invoiceDetail: detail({ tax: '9.16', taxIncludedAmount: '160.10' }) }) })).describe).toBe(
      '第1行明细税额与不含税金额×税率的误差超过0.06元',
    );
    expect((await call(METHODS.issue, { order: order({ invoiceDetail: detail({ tax: '9.05' }) }) })).describe).toBe('第1行明细不含税金额与税额之和不等于含税金额');
    expect((await call(METHODS.issue, { order: order({ invoiceDetail: detail({ taxRate: '6%' }) }) })).describe).toBe('第1行明细税率不合法：6%');
    expect((await call(METHODS.issue, { order: order({ invoiceDetail: detail({ goodsCode: '304' }) }) })).describe).toBe('第1行明细商品编码应为19位税收分类编码');
    expect((await call(METHODS.issue, { order: order({ invoiceDetail: [] }) })).describe).toBe('发票明细不能为空');
  });

  it('refuses what a 数电票 cannot be: a red one by this API, another line, another seller, no drawer', async () => {
    expect((await call(METHODS.issue, { order: order({ invoiceType: '2' }) })).describe).toBe('数电发票不能通过本接口开具红票，请先申请红字确认单');
    expect((await call(METHODS.issue, { order: order({ invoiceLine: 'p' }) })).describe).toBe('不支持的发票种类：p（本平台只开具数电票 pc、bs）');
    expect((await call(METHODS.issue, { order: order({ salerTaxNum: BUYER_USCC }) })).describe).toBe('销方税号与授权企业税号不一致');
    expect((await call(METHODS.issue, { order: order({ clerk: '' }) })).describe).toBe('开票员不能为空（数电发票须传入开票员姓名）');
    expect((await call(METHODS.issue, { order: { buyerName: '某公司' } })).code).toBe(CODES.badParameter);
  });

  it('refuses an 订单号 used before', async () => {
    const o = order();
    expect((await call(METHODS.issue, { order: o })).code).toBe(CODES.success);
    expect(await call(METHODS.issue, { order: o })).toEqual({ code: CODES.duplicateOrder, describe: '订单编号或流水号不能重复' });
  });
});

describe('queryInvoiceResult', () => {
  it('finds an invoice by its 流水号 as by its 订单号, and says when it knows none', async () => {
    const o = order();
    const { result } = await call(METHODS.issue, { order: o });
    const serial = (result as { invoiceSerialNum: string }).invoiceSerialNum;
    const bySerial = await call(METHODS.query, { serialNos: [serial] });
    expect(bySerial.code).toBe(CODES.success);
    expect(bySerial.result).toEqual([expect.objectContaining({ serialNo: serial, orderNo: o.orderNo, orderAmount: '160.00', exTaxAmount: '150.94', taxAmount: '9.06' })]);
    expect(await call(METHODS.query, { orderNos: ['NEVERSUBMITTED'] })).toEqual({ code: CODES.notFound, describe: '未查询到发票信息' });
    expect((await call(METHODS.query, {})).describe).toBe('发票流水号和订单号不能同时为空');
  });

  it('serves the files only to whoever has their link', async () => {
    const res = await fetch(`${h.base}/sim/nuonuo/files/${'A'.repeat(32)}.pdf`);
    expect(res.status).toBe(404);
  });
});
