import { describe, expect, it } from 'vitest';
import {
  idCheckCharacter,
  idNumberProblem,
  maskIdNumber,
  organisationCodeCheck,
  usccCheckCharacter,
  usccProblem,
} from './codes.ts';

/** Every single-character change of a valid code that stays in the alphabet must be caught. */
function mutations(code: string, alphabet: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < code.length; i++) {
    for (const ch of alphabet) if (ch !== code[i]) out.push(code.slice(0, i) + ch + code.slice(i + 1));
  }
  return out;
}

describe('统一社会信用代码 (GB 32100-2015)', () => {
  // The standard's own example, and codes printed on published business licences.
  const valid = ['91350100M000100Y43', '91110000600037341L', '91310000775785552L', '9144030071526726XG'];

  it.each(valid)('accepts %s', (code) => {
    expect(usccProblem(code)).toBeUndefined();
    expect(usccProblem(code.toLowerCase())).toBeUndefined();
  });

  it('computes the check characters', () => {
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(organisationCodeCheck('M000100Y')).toBe('4');
    expect(organisationCodeCheck('71526726')).toBe('X');
  });

  it('catches every single-character change of a valid code', () => {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    for (const code of valid) {
      for (const m of mutations(code, alphabet)) expect(usccProblem(m), m).toBeDefined();
    }
  });

  it('says what is wrong', () => {
    expect(usccProblem('91350100M000100Y4')).toBe('length');
    expect(usccProblem('91350100M000100YI3')).toBe('characters');
    expect(usccProblem('91350100M000100Y44')).toBe('checkDigit');
  });
});

describe('居民身份证号码 (GB 11643-1999)', () => {
  const valid = ['11010519491231002X', '440524188001010014'];

  it.each(valid)('accepts %s', (id) => {
    expect(idNumberProblem(id)).toBeUndefined();
    expect(idNumberProblem(id.toLowerCase())).toBeUndefined();
  });

  it('computes the check character', () => {
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(idCheckCharacter('44052418800101001')).toBe('4');
  });

  it('catches every single-character change of a valid number', () => {
    for (const id of valid) {
      for (const m of mutations(id, '0123456789X')) {
        if (m.slice(0, 17).includes('X')) continue; // not even the right shape
        expect(idNumberProblem(m), m).toBeDefined();
      }
    }
  });

  it('says what is wrong', () => {
    expect(idNumberProblem('1101051949123100')).toBe('length');
    expect(idNumberProblem('11010519491231002Y')).toBe('characters');
    expect(idNumberProblem('110105194902300020')).toBe('birthDate');
    expect(idNumberProblem('110105194912310021')).toBe('checkDigit');
  });
});

describe('maskIdNumber', () => {
  it('keeps the region and the last four digits, hides the birth date', () => {
    expect(maskIdNumber('150105199003152345')).toBe('150105********2345');
    expect(maskIdNumber('15010519900315234X')).toBe('150105********234X');
  });

  it('shows nothing of a number that is not 18 characters', () => {
    expect(maskIdNumber('12345')).toBe('******');
  });
});
