import { describe, expect, it } from 'vitest';
import { normaliseSerial } from './service.ts';
import { certificateState, subjectText } from './views.ts';

describe('serials and states as people see them', () => {
  it('normalises typed serials to the stored form (whole octets, no leading zero octets)', () => {
    expect(normaliseSerial('0A:1B')).toBe('0a1b');
    expect(normaliseSerial('a1b')).toBe('0a1b');
    expect(normaliseSerial('00 0a1b')).toBe('0a1b');
    expect(normaliseSerial('0x7F00')).toBe('7f00');
  });

  it('says expired only for a valid certificate past its end, revoked first', () => {
    const now = new Date(Date.UTC(2026, 5, 1));
    expect(certificateState({ status: 'valid', notAfter: new Date(Date.UTC(2027, 0, 1)) }, now)).toBe('valid');
    expect(certificateState({ status: 'valid', notAfter: new Date(Date.UTC(2026, 0, 1)) }, now)).toBe('expired');
    expect(certificateState({ status: 'revoked', notAfter: new Date(Date.UTC(2026, 0, 1)) }, now)).toBe('revoked');
  });

  it('writes the unit subject in the certificate order', () => {
    expect(subjectText({ subjectOrg: '某公司', subjectCn: '某公司', subjectUscc: '91150100MA0N000001' })).toBe(
      'C=CN, O=某公司, CN=某公司, serialNumber=91150100MA0N000001',
    );
  });
});
