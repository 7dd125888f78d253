import { describe, expect, it } from 'vitest';
import { workedExample as e } from './recipe.ts';
import { authorizationHeader, canonicalQuery, parseAuthorization, signRequest, stringToSign, timestampFresh, verifyWebhook, webhookSignature } from '../../domain/platform-signature.ts';

describe('the platforms signing recipe', () => {
  it('computes the documented worked example', () => {
    const parts = { method: e.method, path: e.path, query: e.query, body: e.body, timestamp: e.timestamp, nonce: e.nonce };
    expect(stringToSign(parts).split('\n')).toEqual(['CD1-HMAC-SHA256', 'GET', e.path, e.query, e.bodySha256, String(e.timestamp), e.nonce]);
    expect(signRequest(e.secret, parts)).toBe(e.signature);
    expect(parseAuthorization(authorizationHeader(e.keyId, e.secret, parts))).toEqual({ keyId: e.keyId, timestamp: e.timestamp, nonce: e.nonce, signature: e.signature });
    expect(webhookSignature(e.secret, e.timestamp, e.webhookBody)).toBe(e.webhookSignature);
  });

  it('signs a query the same whatever its order and encoding', () => {
    expect(canonicalQuery('b=2&a=x+y&a=%21')).toBe('a=%21&a=x%20y&b=2');
    expect(canonicalQuery('a=x%20y&b=2&a=!')).toBe(canonicalQuery('b=2&a=x+y&a=%21'));
    expect(canonicalQuery('')).toBe('');
  });

  it('accepts ±5 minutes and no more, and a webhook only with its own body', () => {
    const now = new Date(e.timestamp * 1000);
    expect(timestampFresh(e.timestamp - 300, now)).toBe(true);
    expect(timestampFresh(e.timestamp + 301, now)).toBe(false);
    expect(verifyWebhook(e.secret, e.webhookSignature, e.webhookBody, now)).toBe(true);
    expect(verifyWebhook(e.secret, e.webhookSignature, `${e.webhookBody} `, now)).toBe(false);
    expect(verifyWebhook(e.secret, e.webhookSignature, e.webhookBody, new Date(now.getTime() + 600_000))).toBe(false);
    expect(parseAuthorization('CD1-HMAC-SHA256 KeyId=k,Timestamp=1,Nonce=short,Signature=00')).toBeUndefined();
  });
});
