import { describe, expect, it } from 'vitest';
import { canonicalize, percentEncode, sign, stringToSign, verify } from './signature.ts';

/** The worked example of Alibaba's SMS "HTTP protocol and signature" documentation (GET SendSms). */
const SMS_DOC_EXAMPLE = {
  AccessKeyId: 'testId',
  Action: 'SendSms',
  Format: 'XML',
  OutId: '123',
  PhoneNumbers: '15300000001',
  RegionId: 'cn-hangzhou',
  SignName: '阿里云短信测试专用',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
  SignatureVersion: '1.0',
  TemplateCode: 'SMS_71390007',
  TemplateParam: '{"customer":"test"}',
  Timestamp: '2017-07-12T02:42:19Z',
  Version: '2017-05-25',
};

/** The worked example of Alibaba's general "signature mechanism" documentation (ECS DescribeRegions). */
const ECS_DOC_EXAMPLE = {
  Timestamp: '2016-02-23T12:46:24Z',
  Format: 'XML',
  AccessKeyId: 'testid',
  Action: 'DescribeRegions',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  Version: '2014-05-26',
  SignatureVersion: '1.0',
};

const PARAMS = {
  Action: 'SendSms',
  Version: '2017-05-25',
  AccessKeyId: 'LTAI-test',
  SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0',
  SignatureNonce: 'nonce-1',
  Timestamp: '2026-11-25T12:00:00Z',
  PhoneNumbers: '13812345678',
  SignName: '证书受理',
  TemplateCode: 'SMS_123',
  TemplateParam: '{"code":"482913"}',
};

describe('percentEncode', () => {
  it.each([
    [' ', '%20'],
    ['*', '%2A'],
    ['~', '~'],
    ['!', '%21'],
    ["'", '%27'],
    ['(', '%28'],
    [')', '%29'],
    ['+', '%2B'],
    ['/', '%2F'],
    ['=', '%3D'],
    ['&', '%26'],
    [':', '%3A'],
    ['-_.', '-_.'],
    ['aZ09', 'aZ09'],
    ['中', '%E4%B8%AD'],
  ])('encodes %j as %j', (input, output) => {
    expect(percentEncode(input)).toBe(output);
  });
});

describe('canonicalize', () => {
  it('sorts by key regardless of insertion order and leaves Signature out', () => {
    expect(canonicalize({ b: '2', Signature: 'x', a: '1', B: '3' })).toBe('B=3&a=1&b=2');
  });

  it('encodes keys and values', () => {
    expect(canonicalize({ 'k y': 'a b*~' })).toBe('k%20y=a%20b%2A~');
  });
});

describe('stringToSign', () => {
  it('is method, encoded slash, and the encoded canonical query', () => {
    expect(stringToSign('POST', { b: '2', a: 'x y' })).toBe('POST&%2F&a%3Dx%2520y%26b%3D2');
  });
});

describe('sign', () => {
  it('reproduces the SMS documentation example', () => {
    expect(sign('GET', SMS_DOC_EXAMPLE, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it('reproduces the ECS documentation example', () => {
    expect(sign('GET', ECS_DOC_EXAMPLE, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('does not depend on the order params were given in', () => {
    const reversed = Object.fromEntries(Object.entries(PARAMS).reverse());
    expect(sign('POST', reversed, 's')).toBe(sign('POST', PARAMS, 's'));
  });

  it('depends on the method', () => {
    expect(sign('GET', PARAMS, 's')).not.toBe(sign('POST', PARAMS, 's'));
  });
});

describe('verify', () => {
  const secret = 'test-secret';
  const signed = { ...PARAMS, Signature: sign('POST', PARAMS, secret) };

  it('accepts its own signature', () => {
    expect(verify('POST', signed, secret)).toBe(true);
  });

  it('refuses a missing signature', () => {
    expect(verify('POST', PARAMS, secret)).toBe(false);
  });

  it('refuses another secret', () => {
    expect(verify('POST', signed, 'test-secreT')).toBe(false);
    expect(verify('POST', signed, '')).toBe(false);
  });

  it('refuses a signature of another length without throwing', () => {
    expect(verify('POST', { ...signed, Signature: 'short' }, secret)).toBe(false);
  });

  it.each(Object.keys(PARAMS))('refuses a change to %s', (key) => {
    const tampered: Record<string, string> = { ...signed };
    tampered[key] = `${tampered[key] ?? ''}x`;
    expect(verify('POST', tampered, secret)).toBe(false);
  });

  it('refuses an added parameter and a removed one', () => {
    expect(verify('POST', { ...signed, OutId: '1' }, secret)).toBe(false);
    const { TemplateParam: _dropped, ...rest } = signed;
    expect(verify('POST', rest, secret)).toBe(false);
  });
});
