/** Rules of the 申请信息 form, worded as the server words its refusals (src/domain/application-form.ts). */
import type { FormRule } from 'antd';
import { formStrings as s } from './strings';

/** A text the server requires, trimmed, at most `max` characters. */
export function requiredText(label: string, max = 100): FormRule[] {
  return [
    { required: true, whitespace: true, message: s.required(label) },
    { max, message: s.tooLong(label, max) },
  ];
}

export const trimmed = (value: string | undefined) => (value ?? '').trim();
