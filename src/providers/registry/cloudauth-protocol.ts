/**
 * The vocabulary of Alibaba Cloud 实人认证 (Cloudauth) that both the adapter and the simulator
 * speak, written down once from the vendor's documentation so the two cannot drift apart:
 * action names and versions, success codes, and the meaning of the result codes.
 */
import type { BusinessStatus, EnterpriseField, PersonField } from './types.ts';

/** 手机号三要素核验详版. Lives in the 2019-03-07 API, whose success Code is the string "200". */
export const PERSON_ACTION = {
  action: 'Mobile3MetaDetailVerify',
  version: '2019-03-07',
  successCode: '200',
} as const;

/** 企业要素核验 (enterprises and 个体工商户 only). Lives in the 2022-11-25 API, success Code "Success". */
export const ENTERPRISE_ACTION = {
  action: 'EntElementVerify',
  version: '2022-11-25',
  successCode: 'Success',
} as const;

/** Result.BizCode / ResultObject.BizCode of both actions. */
export const BIZ_CODE = { consistent: '1', inconsistent: '2', notFound: '3' } as const;

/**
 * ResultObject.SubCode of Mobile3MetaDetailVerify. The carrier compares the phone's registered
 * owner with the name and the ID number sent.
 */
export const PERSON_SUB_CODE = {
  passed: '101',
  /** Neither the name nor the ID number is the phone's owner. */
  phoneMatchesNeither: '201',
  /** The name is the owner's, the ID number is not. */
  idNumberDiffers: '202',
  /** The ID number is the owner's, the name is not. */
  nameDiffers: '203',
  otherInconsistency: '204',
  noRecord: '301',
} as const;

/** What the applicant should correct for each inconsistent SubCode. */
export const PERSON_SUB_CODE_FIELDS: Readonly<Record<string, PersonField[]>> = {
  // The number belongs to someone else: the phone is what does not fit, even if the name and
  // ID number are another person's consistent pair.
  [PERSON_SUB_CODE.phoneMatchesNeither]: ['phone'],
  [PERSON_SUB_CODE.idNumberDiffers]: ['idNumber'],
  [PERSON_SUB_CODE.nameDiffers]: ['name'],
};

/** Result.ReasonDetail flags of EntElementVerify, comma-separated when several fields differ. */
export const ENTERPRISE_FLAGS: Readonly<Record<string, EnterpriseField>> = {
  EntNameFlag: 'name',
  LicenseNoFlag: 'uscc',
  LegalPersonNameFlag: 'legalRepresentative',
};

/** Result.Status of EntElementVerify (经营状态). */
export const BUSINESS_STATUS: Readonly<Record<string, BusinessStatus>> = {
  '1': 'operating', // 在营（开业）
  '2': 'relocated', // 迁出
  '3': 'deregistered', // 注销
  '4': 'revoked', // 吊销
  '5': 'cancelled', // 撤销
  '6': 'suspended', // 停业
  '0': 'other',
};

/** Mainland carriers as ResultObject.IspName names them. */
export type Isp = 'CMCC' | 'CUCC' | 'CTCC';
