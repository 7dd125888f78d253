import { describe, expect, it } from 'vitest';
import { isMainlandMobile, maskPhone } from './phone.ts';

describe('mainland mobile numbers', () => {
  it.each(['13812345678', '19900000000', '16612345678', '14700000001'])('accepts %s', (p) => {
    expect(isMainlandMobile(p)).toBe(true);
  });
  it.each(['12812345678', '1381234567', '138123456789', '+8613812345678', '1381234567a', '', '03812345678'])(
    'refuses %s',
    (p) => {
      expect(isMainlandMobile(p)).toBe(false);
    },
  );
  it('masks the middle four digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});
