/**
 * The real adapter against the loopback simulator over real HTTP on 127.0.0.1: whatever passes
 * here is the same wire protocol on both sides. The signature itself is pinned to Alibaba's
 * published examples in src/providers/aliyun/signature.test.ts.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verify } from '../aliyun/signature.ts';
import { closedPort, rawFormRoutes, startTestServer } from '../aliyun/test-server.ts';
import { AliyunRegistryProvider, type AliyunRegistryOptions } from './aliyun.ts';
import { buildIdNumber, buildUscc, exampleUnlistedInstitution, registryFixtures } from './fixtures.ts';
import {
  RegistryFailureSwitch,
  registryFailures,
  registrySimulatorPlugin,
  type SimulatedAnswer,
} from './simulator.ts';
import {
  RegistryConfigurationError,
  RegistryInputRejected,
  RegistryUnavailable,
  type EnterpriseCheck,
  type PersonCheck,
} from './types.ts';

const ACCESS_KEY_ID = 'LTAI-registry-test';
const ACCESS_KEY_SECRET = 'registry-secret-0123456789';

const [personRow, otherPersonRow] = registryFixtures.persons.slice(3, 5);
const [companyRow] = registryFixtures.organisations;
const revokedRow = registryFixtures.organisations.find((org) => org.status === 'revoked');
if (!personRow || !otherPersonRow || !companyRow || !revokedRow) throw new Error('fixtures too small');
const PERSON: PersonCheck = { name: personRow.name, idNumber: personRow.idNumber, phone: personRow.phone };
const COMPANY: EnterpriseCheck = {
  name: companyRow.name,
  uscc: companyRow.uscc,
  legalRepresentative: companyRow.legalRepresentative,
};

let app: FastifyInstance;
let base: string;
let failures: RegistryFailureSwitch;
let answers: SimulatedAnswer[];
let delayMs: number;
let delayed: number;
let captured: string | undefined;

beforeAll(async () => {
  ({ app, base } = await startTestServer(async (server) => {
    await server.register(
      registrySimulatorPlugin({
        fixtures: registryFixtures,
        credentials: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET },
        delayMs: () => {
          delayed += 1;
          return delayMs;
        },
        failNext: () => failures.take(),
        onAnswer: (answer) => answers.push(answer),
      }),
      { prefix: '/sim/registry' },
    );
    await server.register(
      rawFormRoutes((raw) => {
        raw.post('/capture', async (request) => {
          captured = String(request.body);
          return { RequestId: 'R', Code: '200', Message: 'success', ResultObject: { BizCode: '1', SubCode: '101' } };
        });
      }),
    );
  }));
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => {
  failures = new RegistryFailureSwitch();
  answers = [];
  delayMs = 0;
  delayed = 0;
  captured = undefined;
});

function provider(overrides: Partial<AliyunRegistryOptions> = {}): AliyunRegistryProvider {
  return new AliyunRegistryProvider({
    endpoint: `${base}/sim/registry/`,
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    backoffMs: 5,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
  }
  throw new Error('expected a failure');
}

describe('经办人实名认证 (Mobile3MetaDetailVerify)', () => {
  it('matches a registered person', async () => {
    expect(await provider().verifyPerson(PERSON)).toEqual({ outcome: 'match' });
    expect(answers).toEqual([{ action: 'Mobile3MetaDetailVerify', status: 200, code: '200' }]);
  });

  it('accepts surrounding spaces and a lower-case x as typed', async () => {
    const withX = registryFixtures.persons.find((p) => p.idNumber.endsWith('X'));
    const person = withX ?? personRow;
    const typed = { name: ` ${person.name} `, idNumber: person.idNumber.toLowerCase(), phone: `${person.phone} ` };
    expect(await provider().verifyPerson(typed)).toEqual({ outcome: 'match' });
  });

  it('names the phone when the number belongs to someone else', async () => {
    expect(await provider().verifyPerson({ ...PERSON, phone: otherPersonRow.phone })).toEqual({
      outcome: 'mismatch',
      fields: ['phone'],
    });
  });

  it('names the name when only the name is wrong', async () => {
    expect(await provider().verifyPerson({ ...PERSON, name: '张三丰' })).toEqual({ outcome: 'mismatch', fields: ['name'] });
  });

  it('names the ID number when only the ID number is wrong', async () => {
    const otherId = buildIdNumber('150102', '19900101', '022');
    expect(await provider().verifyPerson({ ...PERSON, idNumber: otherId })).toEqual({
      outcome: 'mismatch',
      fields: ['idNumber'],
    });
  });

  it('says notFound for a phone without a real-name record', async () => {
    expect(await provider().verifyPerson({ ...PERSON, phone: '13000000000' })).toEqual({ outcome: 'notFound' });
  });

  it('gives the same answers with md5-hashed parameters', async () => {
    const hashed = provider({ paramType: 'md5' });
    expect(await hashed.verifyPerson(PERSON)).toEqual({ outcome: 'match' });
    expect(await hashed.verifyPerson({ ...PERSON, name: '张三丰' })).toEqual({ outcome: 'mismatch', fields: ['name'] });
  });

  it('passes on the registry refusing malformed data, without retrying', async () => {
    const badCheckDigit = `${PERSON.idNumber.slice(0, 17)}${PERSON.idNumber.endsWith('1') ? '2' : '1'}`;
    const err = await failure(provider().verifyPerson({ ...PERSON, idNumber: badCheckDigit }));
    expect(err).toBeInstanceOf(RegistryInputRejected);
    expect(err.message).not.toContain(badCheckDigit);
    expect(answers).toHaveLength(1);
  });

  it('refuses empty fields without calling', async () => {
    const err = await failure(provider().verifyPerson({ ...PERSON, name: '  ' }));
    expect(err).toBeInstanceOf(RegistryInputRejected);
    expect(answers).toEqual([]);
  });
});

describe('企业认证 (EntElementVerify)', () => {
  it('matches a registered enterprise and reports its status', async () => {
    expect(await provider().verifyEnterprise(COMPANY)).toEqual({
      outcome: 'match',
      registeredName: COMPANY.name,
      businessStatus: 'operating',
    });
    expect(answers).toEqual([{ action: 'EntElementVerify', status: 200, code: 'Success' }]);
  });

  it('names the legal representative when it is wrong', async () => {
    expect(await provider().verifyEnterprise({ ...COMPANY, legalRepresentative: '张三丰' })).toEqual({
      outcome: 'mismatch',
      fields: ['legalRepresentative'],
    });
  });

  it('names the name, and both when both are wrong', async () => {
    expect(await provider().verifyEnterprise({ ...COMPANY, name: '内蒙古草原云科技有限公司' })).toEqual({
      outcome: 'mismatch',
      fields: ['name'],
    });
    expect(
      await provider().verifyEnterprise({ ...COMPANY, name: '内蒙古草原云科技有限公司', legalRepresentative: '张三丰' }),
    ).toEqual({ outcome: 'mismatch', fields: ['name', 'legalRepresentative'] });
  });

  it('names the credit code when the register knows the name under another code', async () => {
    const otherCode = buildUscc('91', '150105', 'MA0000A1');
    expect(await provider().verifyEnterprise({ ...COMPANY, uscc: otherCode })).toEqual({
      outcome: 'mismatch',
      fields: ['uscc'],
    });
  });

  it('says notFound for a valid code the register does not hold (the 事业单位 path)', async () => {
    expect(await provider().verifyEnterprise(exampleUnlistedInstitution())).toEqual({ outcome: 'notFound' });
  });

  it('matches a revoked enterprise but says it is revoked', async () => {
    const revoked = { name: revokedRow.name, uscc: revokedRow.uscc, legalRepresentative: revokedRow.legalRepresentative };
    expect(await provider().verifyEnterprise(revoked)).toMatchObject({ outcome: 'match', businessStatus: 'revoked' });
  });

  it('accepts a lower-case credit code', async () => {
    expect(await provider().verifyEnterprise({ ...COMPANY, uscc: COMPANY.uscc.toLowerCase() })).toMatchObject({
      outcome: 'match',
    });
  });
});

describe('configuration errors', () => {
  it('refuses a wrong secret at once, as a configuration error, without leaking the data', async () => {
    const err = await failure(provider({ accessKeySecret: 'not-the-secret' }).verifyPerson(PERSON));
    expect(err).toBeInstanceOf(RegistryConfigurationError);
    expect(err).not.toBeInstanceOf(RegistryUnavailable);
    expect((err as RegistryConfigurationError).vendorCode).toBe('SignatureDoesNotMatch');
    expect(answers).toHaveLength(1);
    for (const secret of [PERSON.idNumber, PERSON.phone, 'not-the-secret', ACCESS_KEY_SECRET]) {
      expect(err.message).not.toContain(secret);
    }
  });

  it('refuses an unknown AccessKeyId at once', async () => {
    const err = await failure(provider({ accessKeyId: 'LTAI-unknown' }).verifyEnterprise(COMPANY));
    expect(err).toBeInstanceOf(RegistryConfigurationError);
    expect((err as RegistryConfigurationError).vendorCode).toBe('InvalidAccessKeyId.NotFound');
  });

  it('takes a 404 page from a wrong endpoint path as configuration, not as an outage', async () => {
    const err = await failure(provider({ endpoint: `${base}/nowhere/` }).verifyPerson(PERSON));
    expect(err).toBeInstanceOf(RegistryConfigurationError);
  });

  it('takes a clock more than 15 minutes off as configuration', async () => {
    const err = await failure(provider({ now: () => new Date(Date.now() - 20 * 60_000) }).verifyPerson(PERSON));
    expect(err).toBeInstanceOf(RegistryConfigurationError);
    expect((err as RegistryConfigurationError).vendorCode).toBe('InvalidTimeStamp.Expired');
  });
});

describe('timeouts and retries', () => {
  it('retries a registry slower than the timeout, then says unavailable', async () => {
    delayMs = 1_000;
    const started = Date.now();
    const err = await failure(provider({ timeoutMs: 100 }).verifyPerson(PERSON));
    expect(err).toBeInstanceOf(RegistryUnavailable);
    expect(err).toMatchObject({ vendorCode: 'Timeout', attempts: 3 });
    expect(delayed).toBe(3);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('succeeds when one 5xx is followed by an answer', async () => {
    failures.failNext(1, registryFailures.serviceUnavailable);
    expect(await provider().verifyPerson(PERSON)).toEqual({ outcome: 'match' });
    expect(answers.map((a) => a.code)).toEqual(['ServiceUnavailable', '200']);
  });

  it('succeeds after a load balancer page without JSON', async () => {
    failures.failNext(1, registryFailures.badGateway);
    expect(await provider().verifyEnterprise(COMPANY)).toMatchObject({ outcome: 'match' });
    expect(answers.map((a) => a.code)).toEqual(['HttpStatus.502', 'Success']);
  });

  it('retries throttling up to the limit, then says unavailable', async () => {
    failures.failNext(2, registryFailures.throttled);
    expect(await provider().verifyPerson(PERSON)).toEqual({ outcome: 'match' });
    failures.failNext(3, registryFailures.throttled);
    const err = await failure(provider().verifyPerson(PERSON));
    expect(err).toMatchObject({ name: 'RegistryUnavailable', vendorCode: 'Throttling.User', attempts: 3 });
  });

  it('honours the configured number of retries and backs off exponentially', async () => {
    const waits: number[] = [];
    failures.failNext(4, registryFailures.internalError);
    const err = await failure(
      provider({
        retries: 3,
        backoffMs: 100,
        random: () => 1,
        sleep: async (ms) => {
          waits.push(ms);
        },
      }).verifyEnterprise(COMPANY),
    );
    expect(err).toMatchObject({ name: 'RegistryUnavailable', vendorCode: 'InternalError', attempts: 4 });
    expect(waits).toEqual([100, 200, 400]);
  });

  it('says unavailable when nothing listens', async () => {
    const port = await closedPort();
    const err = await failure(provider({ endpoint: `http://127.0.0.1:${port}/`, retries: 0 }).verifyPerson(PERSON));
    expect(err).toMatchObject({ name: 'RegistryUnavailable', vendorCode: 'NetworkError', attempts: 1 });
    expect(err.message).not.toContain(PERSON.phone);
  });
});

describe('the request on the wire', () => {
  it('is a signed form POST with the documented parameters', async () => {
    await provider({ endpoint: `${base}/capture`, nonce: () => 'nonce-1' }).verifyPerson(PERSON);
    const params = Object.fromEntries(new URLSearchParams(captured ?? ''));
    expect(params).toMatchObject({
      Action: 'Mobile3MetaDetailVerify',
      Version: '2019-03-07',
      Format: 'JSON',
      AccessKeyId: ACCESS_KEY_ID,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: 'nonce-1',
      ParamType: 'normal',
      UserName: PERSON.name,
      IdentifyNum: PERSON.idNumber,
      Mobile: PERSON.phone,
    });
    expect(params['Timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(verify('POST', params, ACCESS_KEY_SECRET)).toBe(true);
    expect(verify('GET', params, ACCESS_KEY_SECRET)).toBe(false);
  });
});
