/**
 * The real-name registry as CertDesk sees it: before applying, the operator (经办人) is checked
 * against the carriers' records (姓名 + 身份证号 + 手机号) and the organisation against the
 * enterprise register (单位名称 + 统一社会信用代码 + 法定代表人).
 * Real adapter: Alibaba Cloud 实人认证 (Cloudauth) Mobile3MetaDetailVerify and EntElementVerify.
 * Simulator: the same HTTP API on loopback, answering from an invented fixture registry.
 */

/** 经办人: 姓名, 身份证号 (18 digits, check digit valid), 手机号 (mainland, 11 digits). */
export interface PersonCheck {
  name: string;
  idNumber: string;
  phone: string;
}

/** 单位名称, 统一社会信用代码, 法定代表人 (for a 个体工商户: 经营者). */
export interface EnterpriseCheck {
  name: string;
  uscc: string;
  legalRepresentative: string;
}

export type PersonField = 'name' | 'idNumber' | 'phone';

/**
 * `mismatch.fields` names what the applicant should correct. The carrier compares the phone's
 * registered owner with the name and the ID number, so exactly one field is named when the
 * registry says which one, and all three when it only says "inconsistent".
 * `notFound`: the carrier has no real-name record for the phone (e.g. some virtual-operator numbers).
 */
export type PersonResult =
  | { outcome: 'match' }
  | { outcome: 'mismatch'; fields: PersonField[] }
  | { outcome: 'notFound' };

export type EnterpriseField = 'name' | 'uscc' | 'legalRepresentative';

/**
 * 登记状态 as the register reports it. Only `operating` (在营/开业) should go on to a certificate;
 * the others are there so the caller can say why not.
 */
export type BusinessStatus =
  | 'operating'
  | 'relocated'
  | 'deregistered'
  | 'revoked'
  | 'cancelled'
  | 'suspended'
  | 'other'
  | 'unknown';

/**
 * `match.registeredName` is the name the register confirmed, i.e. the name sent, trimmed: the
 * vendor does not echo it, and keeping the field lets a later vendor that does fill it in.
 * `mismatch.fields` may include `uscc` when the register knows the name under another code.
 * `notFound`: the register has no such enterprise. CertDesk then continues as a 事业单位, whose
 * papers a reviewer checks by hand (the enterprise register holds no public institutions).
 */
export type EnterpriseResult =
  | { outcome: 'match'; registeredName: string; businessStatus: BusinessStatus }
  | { outcome: 'mismatch'; fields: EnterpriseField[] }
  | { outcome: 'notFound' };

/**
 * Timeouts, network failures, 5xx and throttling that outlasted the retries. The caller shows
 * 稍后再试; trying again later may well work.
 */
export class RegistryUnavailable extends Error {
  constructor(
    message: string,
    /** The vendor's Code, or Timeout / NetworkError / HttpStatus.nnn / MalformedAnswer. */
    readonly vendorCode: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'RegistryUnavailable';
  }
}

/**
 * The vendor refused CertDesk itself: wrong AccessKey or secret, a bad signature, no permission,
 * service not activated, arrears, a clock far off. Retrying cannot help and asking the applicant to
 * try later would be a lie: an operator must fix the configuration.
 */
export class RegistryConfigurationError extends Error {
  constructor(
    message: string,
    readonly vendorCode: string,
  ) {
    super(message);
    this.name = 'RegistryConfigurationError';
  }
}

/**
 * The vendor judged the applicant's data malformed (参数非法), or it was empty and not sent.
 * The caller asks the applicant to check what was typed.
 */
export class RegistryInputRejected extends Error {
  constructor(
    message: string,
    readonly vendorCode: string,
  ) {
    super(message);
    this.name = 'RegistryInputRejected';
  }
}

export interface RegistryProvider {
  verifyPerson(person: PersonCheck): Promise<PersonResult>;
  verifyEnterprise(enterprise: EnterpriseCheck): Promise<EnterpriseResult>;
}
