/**
 * Form rules the server also enforces, so common mistakes are caught before a round trip. The
 * check-digit algorithms and their messages are the server's own (src/domain/codes.ts, pure TS),
 * imported rather than copied so the two can never disagree.
 */
import type { FormRule } from 'antd';
import { idNumberMessages, idNumberProblem, usccMessages, usccProblem } from '../../src/domain/codes';

export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;
/** 电话号码 on a 专票: a landline with area code (and extension), or a mobile. */
export const TELEPHONE_PATTERN = /^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|1[3-9]\d{9})$/;
export const BANK_ACCOUNT_PATTERN = /^\d{8,30}$/;

export const withoutSpaces = (value: string | undefined) => (value ?? '').replace(/\s+/g, '');
export const upperWithoutSpaces = (value: string | undefined) => withoutSpaces(value).toUpperCase();

/** A rule that runs `problem` on a non-empty value; emptiness is left to `required`. */
function check(problem: (value: string) => string | undefined): FormRule {
  return {
    validator: async (_rule, value: unknown) => {
      if (typeof value !== 'string' || value === '') return;
      const message = problem(value);
      if (message) throw new Error(message);
    },
  };
}

export const idNumberRule = check((v) => {
  const p = idNumberProblem(v);
  return p && idNumberMessages[p];
});

export const usccRule = check((v) => {
  const p = usccProblem(v);
  return p && usccMessages[p];
});

/** 税号: the buyer's 统一社会信用代码, as the e-invoice platform requires (src/domain/application-form.ts). */
export const taxNumberRule = check((v) => {
  const code = v.toUpperCase();
  return code.length === 18 && usccProblem(code) === undefined ? undefined : '税号格式不正确（应为18位统一社会信用代码，请核对营业执照）';
});
