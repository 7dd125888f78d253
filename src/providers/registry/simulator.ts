/**
 * A loopback stand-in for Alibaba Cloud 实人认证 (Cloudauth), so development, demos and tests run
 * the real adapter end to end: same form-encoded RPC request, same signature, timestamp and nonce
 * checks, same JSON answers, for Mobile3MetaDetailVerify and EntElementVerify. It answers from a
 * fixture registry (fixtures.ts) and can be told to be slow or to fail, to exercise the adapter's
 * timeout and retries. Mount it under a prefix such as /sim/registry; the adapter's endpoint is
 * then http://127.0.0.1:<port>/sim/registry/.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { idNumberProblem, usccProblem } from '../../domain/codes.ts';
import { isMainlandMobile } from '../../domain/phone.ts';
import {
  FailureSwitch,
  acceptFormBodies,
  isRefusal,
  requestParams,
  rpcGateway,
  unparsableRequest,
} from '../aliyun/gateway-sim.ts';
import {
  BIZ_CODE,
  BUSINESS_STATUS,
  ENTERPRISE_ACTION,
  PERSON_ACTION,
  PERSON_SUB_CODE,
} from './cloudauth-protocol.ts';
import type { RegisteredOrganisation, RegisteredPerson, RegistryFixtures } from './fixtures.ts';

/**
 * An answer to give instead of the real one. Without `code` the body is an HTML error page, as a
 * load balancer in front of the vendor sends it.
 */
export interface RegistryFailure {
  status: number;
  code?: string;
  message?: string;
}

/** The transient failures tests usually want. */
export const registryFailures = {
  serviceUnavailable: { status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' },
  internalError: { status: 500, code: 'InternalError', message: 'The request processing has failed due to some unknown error.' },
  throttled: { status: 400, code: 'Throttling.User', message: 'Request was denied due to user flow control.' },
  badGateway: { status: 502 },
} as const satisfies Record<string, RegistryFailure>;

/** Lets a test make the next N authenticated calls fail. */
export class RegistryFailureSwitch extends FailureSwitch<RegistryFailure> {}

/** What the simulator answered, for tests that count calls; carries no applicant data. */
export interface SimulatedAnswer {
  action: string;
  status: number;
  code: string;
}

export interface RegistrySimulatorOptions {
  fixtures: RegistryFixtures;
  /** AccessKeyId → AccessKeySecret. */
  credentials: Record<string, string>;
  now?: () => Date;
  /** Consulted once per authenticated call: how long to wait before answering. */
  delayMs?: () => number;
  /** Consulted once per authenticated call; a failure it returns is answered instead. */
  failNext?: () => RegistryFailure | undefined;
  onAnswer?: (answer: SimulatedAnswer) => void;
}

const STATUS_CODE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(BUSINESS_STATUS).map(([code, status]) => [status, code]),
);
const MD5_HEX = /^[0-9a-f]{32}$/;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function refusal(status: number, code: string, message: string): Answer {
  return { status, body: { Code: code, Message: message } };
}

function md5(value: string): string {
  return createHash('md5').update(value, 'utf8').digest('hex');
}

export function registrySimulatorPlugin(opts: RegistrySimulatorOptions): FastifyPluginAsync {
  const now = opts.now ?? (() => new Date());
  const gateway = rpcGateway({
    credentials: opts.credentials,
    versions: { [PERSON_ACTION.action]: PERSON_ACTION.version, [ENTERPRISE_ACTION.action]: ENTERPRISE_ACTION.version },
    now,
  });
  const byPhone = new Map<string, RegisteredPerson>();
  const byPhoneMd5 = new Map<string, RegisteredPerson>();
  for (const person of opts.fixtures.persons) {
    byPhone.set(person.phone, person);
    byPhoneMd5.set(md5(person.phone), person);
  }
  const byUscc = new Map(opts.fixtures.organisations.map((org) => [org.uscc, org] as const));
  const byName = new Map(opts.fixtures.organisations.map((org) => [org.name, org] as const));

  /** Mobile3MetaDetailVerify: the carrier looks the phone up and compares its owner. */
  function verifyPerson(params: Record<string, string>): Answer {
    const paramType = params['ParamType'];
    const name = params['UserName'];
    const idNumber = params['IdentifyNum'];
    const mobile = params['Mobile'];
    // The 2019-03-07 API answers its own refusals with HTTP 200 and a numeric Code.
    if (!paramType || !name || !idNumber || !mobile) return refusal(200, '400', '参数不能为空');
    let owner: RegisteredPerson | undefined;
    let sameName: (person: RegisteredPerson) => boolean;
    let sameId: (person: RegisteredPerson) => boolean;
    if (paramType === 'normal') {
      if (idNumberProblem(idNumber) !== undefined || !isMainlandMobile(mobile)) return refusal(200, '401', '参数非法');
      owner = byPhone.get(mobile);
      sameName = (person) => person.name === name;
      sameId = (person) => person.idNumber === idNumber.toUpperCase();
    } else if (paramType === 'md5') {
      if (![name, idNumber, mobile].every((value) => MD5_HEX.test(value))) return refusal(200, '401', '参数非法');
      owner = byPhoneMd5.get(mobile);
      sameName = (person) => md5(person.name) === name;
      sameId = (person) => md5(person.idNumber) === idNumber;
    } else {
      return refusal(200, '401', '参数非法');
    }
    const result = (bizCode: string, subCode: string, isp?: string): Answer => ({
      status: 200,
      body: { Code: PERSON_ACTION.successCode, Message: 'success', ResultObject: { BizCode: bizCode, SubCode: subCode, IspName: isp } },
    });
    if (!owner) return result(BIZ_CODE.notFound, PERSON_SUB_CODE.noRecord);
    const nameOk = sameName(owner);
    const idOk = sameId(owner);
    if (nameOk && idOk) return result(BIZ_CODE.consistent, PERSON_SUB_CODE.passed, owner.isp);
    const subCode = nameOk
      ? PERSON_SUB_CODE.idNumberDiffers
      : idOk
        ? PERSON_SUB_CODE.nameDiffers
        : PERSON_SUB_CODE.phoneMatchesNeither;
    return result(BIZ_CODE.inconsistent, subCode, owner.isp);
  }

  /** EntElementVerify: the register looks the code up (or else the name) and compares. */
  function verifyEnterprise(params: Record<string, string>): Answer {
    const required = ['SceneCode', 'MerchantBizId', 'MerchantUserId', 'UserAuthorization', 'InfoVerifyType', 'LicenseNo', 'EntName'];
    const type = params['InfoVerifyType'];
    if (type === 'ENT_3META') required.push('LegalPersonName');
    const missing = required.find((name) => !params[name]);
    if (missing) return refusal(400, 'MissingParameter', `The input parameter "${missing}" that is mandatory for processing this request is not supplied.`);
    const invalid = (name: string) => refusal(401, 'InvalidParameter', `The specified value of parameter "${name}" is not valid.`);
    if (type !== 'ENT_2META' && type !== 'ENT_3META') return invalid('InfoVerifyType'); // 4META: no ID numbers on file here
    if (!/^[A-Za-z0-9_]{1,32}$/.test(params['SceneCode'] ?? '')) return invalid('SceneCode');
    if (!/^[A-Za-z0-9]{1,32}$/.test(params['MerchantBizId'] ?? '')) return invalid('MerchantBizId');
    if (!/^[A-Za-z0-9]{1,32}$/.test(params['MerchantUserId'] ?? '')) return invalid('MerchantUserId');
    if (params['UserAuthorization'] !== '1') return invalid('UserAuthorization');
    const licenceNo = (params['LicenseNo'] ?? '').toUpperCase();
    if (usccProblem(licenceNo) !== undefined) return invalid('LicenseNo');

    const entName = params['EntName'] ?? '';
    const legalPersonName = params['LegalPersonName'];
    const compareRepresentative = type === 'ENT_3META';
    const result = (bizCode: string, org?: RegisteredOrganisation, flags: string[] = []): Answer => ({
      status: 200,
      body: {
        Code: ENTERPRISE_ACTION.successCode,
        Message: 'success',
        Result: {
          BizCode: bizCode,
          ReasonDetail: flags.length > 0 ? flags.join(',') : undefined,
          Status: org ? STATUS_CODE[org.status] : undefined,
          OpenTime: org ? `${org.established}/9999-09-09` : undefined,
        },
      },
    });
    const org = byUscc.get(licenceNo);
    if (!org) {
      // Known by name under another code: the register says the code is what differs.
      const named = byName.get(entName);
      if (!named) return result(BIZ_CODE.notFound);
      const flags = ['LicenseNoFlag'];
      if (compareRepresentative && named.legalRepresentative !== legalPersonName) flags.push('LegalPersonNameFlag');
      return result(BIZ_CODE.inconsistent, named, flags);
    }
    const flags: string[] = [];
    if (org.name !== entName) flags.push('EntNameFlag');
    if (compareRepresentative && org.legalRepresentative !== legalPersonName) flags.push('LegalPersonNameFlag');
    return result(flags.length === 0 ? BIZ_CODE.consistent : BIZ_CODE.inconsistent, org, flags);
  }

  function send(reply: FastifyReply, action: string, answer: Answer): FastifyReply {
    const body = { RequestId: randomUUID().toUpperCase(), ...answer.body };
    opts.onAnswer?.({ action, status: answer.status, code: String(answer.body['Code']) });
    return reply.status(answer.status).type('application/json; charset=utf-8').send(body);
  }

  return async (app) => {
    acceptFormBodies(app);

    // Whatever goes wrong in here is answered in Alibaba's shape, which is what the adapter parses.
    app.setErrorHandler((err, request, reply) => {
      const unparsable = unparsableRequest(err);
      if (unparsable) return send(reply, '-', refusal(unparsable.status, unparsable.code, unparsable.message));
      request.log.error({ err }, 'registry simulator failed');
      return send(reply, '-', refusal(500, 'InternalError', 'The request processing has failed due to some unknown error.'));
    });

    // RPC-style APIs accept GET and POST alike, parameters in the query string or the form body.
    app.route({
      method: ['GET', 'POST'],
      url: '/',
      handler: async (request, reply) => {
        const params = requestParams(request.query, request.body);
        if (isRefusal(params)) return send(reply, '-', refusal(params.status, params.code, params.message));
        const action = params['Action'] ?? '-';
        const refused = gateway(request.method, params);
        if (refused) return send(reply, action, refusal(refused.status, refused.code, refused.message));

        const delay = opts.delayMs?.() ?? 0;
        if (delay > 0) {
          // Stop waiting once the adapter has given up, so closing the simulator is not held up.
          const gone = new AbortController();
          const onClose = () => gone.abort();
          reply.raw.once('close', onClose);
          await sleep(delay, undefined, { signal: gone.signal }).catch(() => undefined);
          reply.raw.off('close', onClose);
          if (gone.signal.aborted) {
            // Nobody is left to answer, and a test counting answers must not see a phantom one.
            reply.hijack();
            reply.raw.destroy();
            return;
          }
        }
        const failure = opts.failNext?.();
        if (failure) {
          if (failure.code !== undefined) {
            return send(reply, action, refusal(failure.status, failure.code, failure.message ?? failure.code));
          }
          opts.onAnswer?.({ action, status: failure.status, code: `HttpStatus.${failure.status}` });
          return reply
            .status(failure.status)
            .type('text/html; charset=utf-8')
            .send(`<html><body><h1>${failure.status}</h1></body></html>`);
        }
        return send(reply, action, action === PERSON_ACTION.action ? verifyPerson(params) : verifyEnterprise(params));
      },
    });
  };
}
