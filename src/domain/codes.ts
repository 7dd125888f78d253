/**
 * Check digits of the two identifiers an application rests on:
 * - 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters over a 31-letter
 *   alphabet, the last a mod-31 check; characters 9–17 are the GB 11714 organisation code, whose
 *   own mod-11 check digit sits at position 17.
 * - 居民身份证号码 (citizen ID number), GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check
 *   (0–9 or X), with the birth date at characters 7–14.
 */

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export type CodeProblem = 'length' | 'characters' | 'checkDigit' | 'birthDate';

export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i] ?? '') * (USCC_WEIGHTS[i] ?? 0);
  return USCC_ALPHABET[(31 - (sum % 31)) % 31] ?? '';
}

/** GB 11714: the check character of an 8-character organisation code body. */
export function organisationCodeCheck(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = body8[i] ?? '';
    const value = /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55; // A=10 … Z=35
    sum += value * (ORG_WEIGHTS[i] ?? 0);
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** Why a credit code is wrong, or undefined when it is right. Lower case is accepted and upper-cased. */
export function usccProblem(input: string): CodeProblem | undefined {
  const code = input.trim().toUpperCase();
  if (code.length !== 18) return 'length';
  if (![...code].every((ch) => USCC_ALPHABET.includes(ch))) return 'characters';
  if (!/^\d{6}$/.test(code.slice(2, 8))) return 'characters';
  if (organisationCodeCheck(code.slice(8, 16)) !== code[16]) return 'checkDigit';
  if (usccCheckCharacter(code.slice(0, 17)) !== code[17]) return 'checkDigit';
  return undefined;
}

export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] ?? '';
}

/** Why an ID number is wrong, or undefined when it is right. A lower-case x is accepted. */
export function idNumberProblem(input: string): CodeProblem | undefined {
  const id = input.trim().toUpperCase();
  if (id.length !== 18) return 'length';
  if (!/^\d{17}[\dX]$/.test(id)) return 'characters';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1800 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return 'birthDate';
  }
  if (idCheckCharacter(id.slice(0, 17)) !== id[17]) return 'checkDigit';
  return undefined;
}

export const usccMessages: Record<CodeProblem, string> = {
  length: '统一社会信用代码应为18位',
  characters: '统一社会信用代码含有无效字符',
  checkDigit: '统一社会信用代码校验位不正确，请核对后重新输入',
  birthDate: '统一社会信用代码不正确',
};

export const idNumberMessages: Record<CodeProblem, string> = {
  length: '身份证号应为18位',
  characters: '身份证号格式不正确',
  checkDigit: '身份证号校验位不正确，请核对后重新输入',
  birthDate: '身份证号中的出生日期不正确',
};

/**
 * 150105199003152345 → 150105********2345: the region and the last four stay, the birth date
 * goes (as the contract text and the application view already print it); any other length
 * shows nothing.
 */
export function maskIdNumber(id: string): string {
  return id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : '******';
}
