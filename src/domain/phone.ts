/** Mainland China mobile numbers: 11 digits, 1 then 3–9 (MIIT number plan). */
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

export function isMainlandMobile(value: string): boolean {
  return MAINLAND_MOBILE.test(value);
}

/** 13812345678 → 138****5678; anything else keeps only its last two characters. */
export function maskPhone(value: string): string {
  if (value.length === 11) return `${value.slice(0, 3)}****${value.slice(7)}`;
  return value.length <= 2 ? '**' : `${'*'.repeat(value.length - 2)}${value.slice(-2)}`;
}
