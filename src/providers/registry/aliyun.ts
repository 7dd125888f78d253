/**
 * The real registry adapter: Alibaba Cloud 实人认证 (Cloudauth), one vendor for both checks, at
 * https://cloudauth.aliyuncs.com/, RPC style, form-encoded POST, Signature Version 1.0.
 *
 * 经办人 — Mobile3MetaDetailVerify (Version 2019-03-07), 手机号三要素核验详版:
 *   request   ParamType=normal|md5, UserName, IdentifyNum, Mobile (md5: 32 lower-case hex each)
 *   answer    {"RequestId":"…","Code":"200","Message":"success",
 *              "ResultObject":{"BizCode":"1|2|3","SubCode":"101|201|202|203|204|301","IspName":"CMCC|CUCC|CTCC"}}
 *   mapping   BizCode 1 → match; 3 → notFound (no real-name record for the phone);
 *             2 → mismatch: SubCode 201 phone (owned by neither), 202 idNumber, 203 name, 204 all three.
 *   refusals  Code "400" 参数不能为空, "401" 参数非法 (→ RegistryInputRejected), others below.
 *
 * 单位 — EntElementVerify (Version 2022-11-25), 企业要素核验, enterprises and 个体工商户 only:
 *   request   SceneCode, MerchantBizId (unique, ≤32 alphanumerics), MerchantUserId, UserAuthorization=1,
 *             InfoVerifyType=ENT_3META, EntName, LicenseNo (USCC), LegalPersonName
 *   answer    {"RequestId":"…","Code":"Success","Message":"success",
 *              "Result":{"BizCode":"1|2|3","ReasonDetail":"EntNameFlag,LegalPersonNameFlag,LicenseNoFlag",
 *                        "Status":"1","OpenTime":"2016-05-12/9999-09-09"}}
 *   mapping   BizCode 1 → match (+ Status as businessStatus); 3 → notFound, which CertDesk takes as a
 *             事业单位 (the register does not hold them); 2 → mismatch naming the flagged fields.
 *   refusals  HTTP 400 MissingParameter, HTTP 401 InvalidParameter (→ RegistryInputRejected),
 *             403 Forbidden.* (→ RegistryConfigurationError).
 *
 * Both: gateway refusals (SignatureDoesNotMatch, InvalidAccessKeyId.*, …) → RegistryConfigurationError;
 * timeouts, network errors, 5xx, Throttling.* → retried, then RegistryUnavailable. See aliyun-rpc.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { callRpc, type RpcPolicy } from './aliyun-rpc.ts';
import {
  BIZ_CODE,
  BUSINESS_STATUS,
  ENTERPRISE_ACTION,
  ENTERPRISE_FLAGS,
  PERSON_ACTION,
  PERSON_SUB_CODE_FIELDS,
} from './cloudauth-protocol.ts';
import {
  RegistryInputRejected,
  RegistryUnavailable,
  type EnterpriseCheck,
  type EnterpriseField,
  type EnterpriseResult,
  type PersonCheck,
  type PersonField,
  type PersonResult,
  type RegistryProvider,
} from './types.ts';

export interface AliyunRegistryOptions {
  /** https://cloudauth.aliyuncs.com/ (or a regional one, e.g. https://cloudauth.cn-shanghai.aliyuncs.com/). */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** EntElementVerify SceneCode: letters, digits, underscore, ≤ 32. */
  sceneCode?: string;
  /** EntElementVerify MerchantUserId: letters and digits, ≤ 32. */
  merchantUserId?: string;
  /** md5 keeps the plain ID number and phone off the wire beyond TLS; the vendor supports both. */
  paramType?: 'normal' | 'md5';
  /** Further attempts after a transient failure; default 2. */
  retries?: number;
  /** Per attempt; default 5000. */
  timeoutMs?: number;
  /** Before the first retry, doubled for each further one; default 300. */
  backoffMs?: number;
  now?: () => Date;
  nonce?: () => string;
  merchantBizId?: () => string;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const personAnswerSchema = z.object({
  BizCode: z.enum([BIZ_CODE.consistent, BIZ_CODE.inconsistent, BIZ_CODE.notFound]),
  SubCode: z.string().optional(),
  IspName: z.string().optional(),
});

const enterpriseAnswerSchema = z.object({
  BizCode: z.enum([BIZ_CODE.consistent, BIZ_CODE.inconsistent, BIZ_CODE.notFound]),
  ReasonCode: z.string().optional(),
  ReasonDetail: z.string().optional(),
  Status: z.string().optional(),
  OpenTime: z.string().optional(),
});

const ALL_PERSON_FIELDS: PersonField[] = ['name', 'idNumber', 'phone'];
const ALL_ENTERPRISE_FIELDS: EnterpriseField[] = ['name', 'uscc', 'legalRepresentative'];

/** The retired ReasonCode, still sent to older accounts: used only when ReasonDetail says nothing. */
const LEGACY_REASON_FIELDS: Readonly<Record<string, EnterpriseField[]>> = {
  '201': ['legalRepresentative'],
  '202': ['name', 'uscc'],
  '302': ['legalRepresentative'],
};

function md5(value: string): string {
  return createHash('md5').update(value, 'utf8').digest('hex');
}

export class AliyunRegistryProvider implements RegistryProvider {
  private readonly policy: RpcPolicy;
  private readonly sceneCode: string;
  private readonly merchantUserId: string;
  private readonly paramType: 'normal' | 'md5';
  private readonly merchantBizId: () => string;

  constructor(options: AliyunRegistryOptions) {
    this.policy = {
      endpoint: options.endpoint,
      accessKeyId: options.accessKeyId,
      accessKeySecret: options.accessKeySecret,
      retries: options.retries ?? 2,
      timeoutMs: options.timeoutMs ?? 5_000,
      backoffMs: options.backoffMs ?? 300,
      now: options.now ?? (() => new Date()),
      nonce: options.nonce ?? (() => randomUUID()),
      random: options.random ?? Math.random,
      sleep: options.sleep ?? ((ms) => sleep(ms)),
    };
    this.sceneCode = options.sceneCode ?? 'CERTDESK_UNIT_CERT';
    this.merchantUserId = options.merchantUserId ?? 'certdesk';
    this.paramType = options.paramType ?? 'normal';
    this.merchantBizId = options.merchantBizId ?? (() => randomUUID().replaceAll('-', ''));
  }

  async verifyPerson(person: PersonCheck): Promise<PersonResult> {
    const name = person.name.trim();
    const idNumber = person.idNumber.trim().toUpperCase();
    const phone = person.phone.trim();
    refuseEmpty(PERSON_ACTION.action, { name, idNumber, phone });
    const encode = this.paramType === 'md5' ? md5 : (value: string) => value;
    const sent = { UserName: encode(name), IdentifyNum: encode(idNumber), Mobile: encode(phone) };

    const answer = await callRpc(this.policy, {
      ...PERSON_ACTION,
      params: { ParamType: this.paramType, ...sent },
      secrets: [name, idNumber, phone, ...Object.values(sent)],
    });
    const parsed = personAnswerSchema.safeParse(answer.body['ResultObject']);
    if (!parsed.success) throw malformed(PERSON_ACTION.action, answer.attempts, answer.requestId);
    const { BizCode, SubCode } = parsed.data;
    if (BizCode === BIZ_CODE.consistent) return { outcome: 'match' };
    if (BizCode === BIZ_CODE.notFound) return { outcome: 'notFound' };
    // 204 ("other") or a SubCode added later: the applicant checks all three.
    const fields = (SubCode === undefined ? undefined : PERSON_SUB_CODE_FIELDS[SubCode]) ?? ALL_PERSON_FIELDS;
    return { outcome: 'mismatch', fields: [...fields] };
  }

  async verifyEnterprise(enterprise: EnterpriseCheck): Promise<EnterpriseResult> {
    const name = enterprise.name.trim();
    const uscc = enterprise.uscc.trim().toUpperCase();
    const legalRepresentative = enterprise.legalRepresentative.trim();
    refuseEmpty(ENTERPRISE_ACTION.action, { name, uscc, legalRepresentative });

    const answer = await callRpc(this.policy, {
      ...ENTERPRISE_ACTION,
      params: {
        SceneCode: this.sceneCode,
        // Fresh per call: the vendor asks for a unique id per request, for tracing on its side.
        MerchantBizId: this.merchantBizId(),
        MerchantUserId: this.merchantUserId,
        // The applicant agrees to the check on the form before it is made.
        UserAuthorization: '1',
        InfoVerifyType: 'ENT_3META',
        EntName: name,
        LicenseNo: uscc,
        LegalPersonName: legalRepresentative,
      },
      // The legal representative's name is personal data; the organisation's name and code are public.
      secrets: [legalRepresentative],
    });
    const parsed = enterpriseAnswerSchema.safeParse(answer.body['Result']);
    if (!parsed.success) throw malformed(ENTERPRISE_ACTION.action, answer.attempts, answer.requestId);
    const { BizCode, ReasonCode, ReasonDetail, Status } = parsed.data;
    if (BizCode === BIZ_CODE.consistent) {
      return {
        outcome: 'match',
        registeredName: name,
        businessStatus: (Status === undefined ? undefined : BUSINESS_STATUS[Status]) ?? 'unknown',
      };
    }
    if (BizCode === BIZ_CODE.notFound) return { outcome: 'notFound' };
    return { outcome: 'mismatch', fields: enterpriseFields(ReasonDetail, ReasonCode) };
  }
}

function enterpriseFields(reasonDetail: string | undefined, reasonCode: string | undefined): EnterpriseField[] {
  const flagged = new Set<EnterpriseField>();
  for (const flag of (reasonDetail ?? '').split(',')) {
    const field = ENTERPRISE_FLAGS[flag.trim()];
    if (field) flagged.add(field);
  }
  if (flagged.size > 0) return ALL_ENTERPRISE_FIELDS.filter((field) => flagged.has(field));
  return [...((reasonCode === undefined ? undefined : LEGACY_REASON_FIELDS[reasonCode]) ?? ALL_ENTERPRISE_FIELDS)];
}

/** An empty field would be refused (and, for some vendors, billed): refuse it here instead. */
function refuseEmpty(action: string, fields: Record<string, string>): void {
  const empty = Object.entries(fields)
    .filter(([, value]) => value === '')
    .map(([key]) => key);
  if (empty.length > 0) throw new RegistryInputRejected(`${action} not sent: empty ${empty.join(', ')}`, 'Empty');
}

/**
 * A success Code around a result this adapter cannot read. Not retried: the call may already be
 * billed, and the same answer would come back; the caller can only offer 稍后再试.
 */
function malformed(action: string, attempts: number, requestId: string | undefined): RegistryUnavailable {
  return new RegistryUnavailable(
    `${action} answered success with an unreadable result; RequestId ${requestId ?? '-'}`,
    'MalformedAnswer',
    attempts,
  );
}
