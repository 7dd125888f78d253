/**
 * 实名认证 and 企业认证: checks the typed data locally (check digits), then against the registry.
 * Turns the registry's answers into what the applicant reads: a refusal naming the field, 企业不存在
 * (not an error: the application continues as a 事业单位), or 稍后再试 when the registry is away.
 */
import type { Logger } from 'pino';
import { idNumberMessages, idNumberProblem, usccMessages, usccProblem } from '../../domain/codes.ts';
import { AppError } from '../../domain/errors.ts';
import { maskPhone } from '../../domain/phone.ts';
import { unitFieldLabels, type UnitData } from '../../domain/renewal.ts';
import {
  RegistryInputRejected,
  RegistryUnavailable,
  type EnterpriseField,
  type PersonField,
  type RegistryProvider,
} from '../../providers/registry/types.ts';

const personFieldLabels: Record<PersonField, string> = { name: '经办人姓名', idNumber: '身份证号', phone: '手机号' };

const unitFieldOf: Record<EnterpriseField, keyof UnitData> = { name: 'orgName', uscc: 'uscc', legalRepresentative: 'legalRepresentative' };

type OrganisationInput = { orgName: string; uscc: string; legalRepresentative: string };

/** A mismatch refused, naming the fields as the applicant typed them. */
export function mismatchError(fields: readonly (keyof UnitData)[]): AppError {
  const names = fields.map((f) => unitFieldLabels[f]).join('、');
  return new AppError('ORG_MISMATCH', `企业认证未通过：${names}与登记信息不一致，请核对后重新输入`, 400, { fields });
}

export type IdentityService = ReturnType<typeof createIdentityService>;

export function createIdentityService(registry: RegistryProvider, log: Logger) {
  async function ask<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof RegistryUnavailable) {
        log.warn({ vendorCode: err.vendorCode, attempts: err.attempts }, `registry unavailable: ${what}`);
        throw new AppError('REGISTRY_UNAVAILABLE', '实名认证服务暂时无法连接，请稍后再试（已填写的信息不会丢失）', 503);
      }
      if (err instanceof RegistryInputRejected) {
        throw new AppError('REGISTRY_INPUT', '认证信息格式不正确，请核对后重新输入', 400);
      }
      log.error({ err: String(err) }, `registry failed: ${what}`);
      throw new AppError('REGISTRY_ERROR', '实名认证服务暂时不可用，请稍后再试或联系客服', 503);
    }
  }

  async function checkOrganisation(e: OrganisationInput): Promise<{ outcome: 'match' | 'not_found' } | { outcome: 'mismatch'; fields: (keyof UnitData)[] }> {
    const problem = usccProblem(e.uscc);
    if (problem) throw new AppError('USCC_INVALID', usccMessages[problem], 400, { field: 'uscc' });
    const result = await ask('enterprise', () =>
      registry.verifyEnterprise({ name: e.orgName, uscc: e.uscc.toUpperCase(), legalRepresentative: e.legalRepresentative }),
    );
    log.info({ outcome: result.outcome }, 'organisation verified');
    if (result.outcome === 'notFound') return { outcome: 'not_found' };
    if (result.outcome === 'match') {
      if (result.businessStatus !== 'operating' && result.businessStatus !== 'unknown') {
        throw new AppError('ORG_NOT_OPERATING', '该单位登记状态不是“存续（在营）”，不能申请数字证书，请联系客服', 400);
      }
      return { outcome: 'match' };
    }
    return { outcome: 'mismatch', fields: result.fields.map((f) => unitFieldOf[f]) };
  }

  return {
    /** 实名认证 of the 经办人: throws a refusal naming the field, or returns when all three match. */
    async verifyOperator(p: { operatorName: string; operatorIdNumber: string; operatorPhone: string }): Promise<void> {
      const problem = idNumberProblem(p.operatorIdNumber);
      if (problem) throw new AppError('ID_NUMBER_INVALID', idNumberMessages[problem], 400, { field: 'operatorIdNumber' });
      const result = await ask('person', () =>
        registry.verifyPerson({ name: p.operatorName, idNumber: p.operatorIdNumber.toUpperCase(), phone: p.operatorPhone }),
      );
      log.info({ phone: maskPhone(p.operatorPhone), outcome: result.outcome }, 'operator verified');
      if (result.outcome === 'match') return;
      if (result.outcome === 'notFound') {
        throw new AppError('PERSON_NOT_FOUND', '未查询到该手机号的实名登记信息，请使用经办人本人实名登记的手机号', 400, {
          field: 'operatorPhone',
        });
      }
      const names = result.fields.map((f) => personFieldLabels[f]).join('、');
      throw new AppError('PERSON_MISMATCH', `实名认证未通过：${names}与登记信息不一致，请核对后重新输入`, 400, {
        fields: result.fields,
      });
    },

    /**
     * 企业认证 as the registry answered: 'match', 'not_found' (企业不存在), or 'mismatch' with the
     * fields that differ (变更 may go on when the register lags: domain/aftersales.ts).
     */
    checkOrganisation,

    /** 企业认证: 'match', or 'not_found' (企业不存在); a mismatch is refused naming the field. */
    async verifyOrganisation(e: OrganisationInput): Promise<'match' | 'not_found'> {
      const result = await checkOrganisation(e);
      if (result.outcome !== 'mismatch') return result.outcome;
      throw mismatchError(result.fields);
    },
  };
}
