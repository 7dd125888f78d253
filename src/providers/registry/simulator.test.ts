/**
 * The simulator on requests the adapter never makes: it must speak Alibaba's protocol, not just
 * the subset the adapter uses, so that a change in the adapter cannot pass against a lax simulator.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedForm } from '../aliyun/rpc-client.ts';
import { freshCommonParams } from '../aliyun/test-server.ts';
import { registryFixtures } from './fixtures.ts';
import { registrySimulatorPlugin } from './simulator.ts';

const KEY = 'LTAI-sim';
const SECRET = 'sim-secret';
const [company] = registryFixtures.organisations;
if (!company) throw new Error('no fixtures');

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify({ logger: false });
  await app.register(registrySimulatorPlugin({ fixtures: registryFixtures, credentials: { [KEY]: SECRET } }), {
    prefix: '/sim/registry',
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

function signed(method: 'GET' | 'POST', params: Record<string, string>, secret = SECRET): string {
  const all: Record<string, string> = {
    ...freshCommonParams('EntElementVerify', '2022-11-25', KEY),
    SceneCode: 'TEST',
    MerchantBizId: 'biz1',
    MerchantUserId: 'user1',
    UserAuthorization: '1',
    InfoVerifyType: 'ENT_3META',
    EntName: company?.name ?? '',
    LicenseNo: company?.uscc ?? '',
    LegalPersonName: company?.legalRepresentative ?? '',
    ...params,
  };
  for (const [key, value] of Object.entries(all)) if (value === '') delete all[key];
  return signedForm(method, all, secret);
}

async function post(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await app.inject({
    method: 'POST',
    url: '/sim/registry/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: body,
  });
  return { status: res.statusCode, json: res.json<Record<string, unknown>>() };
}

describe('registry simulator protocol', () => {
  it('answers a signed GET as well as a POST', async () => {
    const res = await app.inject({ method: 'GET', url: `/sim/registry/?${signed('GET', {})}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ Code: 'Success', Result: { BizCode: '1', Status: '1' } });
    expect(typeof res.json<Record<string, unknown>>()['RequestId']).toBe('string');
  });

  it('refuses a POST signature presented on a GET', async () => {
    const res = await app.inject({ method: 'GET', url: `/sim/registry/?${signed('POST', {})}` });
    expect(res.json()).toMatchObject({ Code: 'SignatureDoesNotMatch' });
  });

  it('refuses a replayed nonce', async () => {
    const body = signed('POST', { SignatureNonce: 'same-nonce' });
    expect((await post(body)).status).toBe(200);
    expect(await post(body)).toMatchObject({ status: 400, json: { Code: 'SignatureNonceUsed' } });
  });

  it('refuses another Action or Version', async () => {
    expect(await post(signed('POST', { Action: 'EntVerify' }))).toMatchObject({
      status: 404,
      json: { Code: 'InvalidAction.NotFound' },
    });
    expect(await post(signed('POST', { Version: '2019-03-07' }))).toMatchObject({
      status: 400,
      json: { Code: 'InvalidVersion' },
    });
  });

  it('checks the signature before anything about the business', async () => {
    expect(await post(signed('POST', { LicenseNo: 'nonsense' }, 'wrong'))).toMatchObject({
      status: 400,
      json: { Code: 'SignatureDoesNotMatch' },
    });
  });

  it('answers missing and invalid business parameters as Cloudauth documents them', async () => {
    expect(await post(signed('POST', { LegalPersonName: '' }))).toMatchObject({
      status: 400,
      json: { Code: 'MissingParameter' },
    });
    expect(await post(signed('POST', { UserAuthorization: '0' }))).toMatchObject({
      status: 401,
      json: { Code: 'InvalidParameter' },
    });
    expect(await post(signed('POST', { MerchantBizId: 'has-hyphens' }))).toMatchObject({
      status: 401,
      json: { Code: 'InvalidParameter' },
    });
  });

  it('compares only name and code for ENT_2META', async () => {
    const { json } = await post(signed('POST', { InfoVerifyType: 'ENT_2META', LegalPersonName: '' }));
    expect(json).toMatchObject({ Code: 'Success', Result: { BizCode: '1' } });
  });

  it('answers the person check with the 2019-03-07 numeric codes', async () => {
    const person = registryFixtures.persons[0];
    const body = signed('POST', {
      Action: 'Mobile3MetaDetailVerify',
      Version: '2019-03-07',
      ParamType: 'normal',
      UserName: person?.name ?? '',
      IdentifyNum: person?.idNumber ?? '',
      Mobile: person?.phone ?? '',
    });
    expect(await post(body)).toMatchObject({
      status: 200,
      json: { Code: '200', ResultObject: { BizCode: '1', SubCode: '101', IspName: person?.isp } },
    });
    const missing = signed('POST', { Action: 'Mobile3MetaDetailVerify', Version: '2019-03-07', ParamType: 'normal' });
    expect(await post(missing)).toMatchObject({ status: 200, json: { Code: '400' } });
  });
});
