/**
 * 诺诺开放平台's request signature (X-Nuonuo-Sign): Base64 of HMAC-SHA1, keyed with the appSecret,
 * over `a={path[3]}&l={path[2]}&p={path[1]}&k={appKey}&i={senid}&n={nonce}&t={timestamp}&f={body}`,
 * where path is /open/v1/services (so a=services&l=v1&p=open) and body is the exact JSON sent.
 * The official SDKs take the three segments from the URL's path; here they are its last three,
 * which is the same for the real endpoint and lets the simulator live under a prefix.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';

export interface SignedParts {
  /** The request URL's path, e.g. /open/v1/services. */
  path: string;
  appKey: string;
  senid: string;
  nonce: string;
  timestamp: string;
  /** The request body exactly as sent. */
  body: string;
}

/** The three segments the signature names (a, l, p), or undefined when the path has fewer. */
export function signedSegments(path: string): { a: string; l: string; p: string } | undefined {
  const segments = path.split('?')[0]!.split('/').filter((s) => s !== '');
  if (segments.length < 3) return undefined;
  const [p, l, a] = segments.slice(-3) as [string, string, string];
  return { a, l, p };
}

export function signingString(parts: SignedParts): string {
  const seg = signedSegments(parts.path);
  if (seg === undefined) throw new Error(`not a 诺诺 service path: ${parts.path}`);
  return `a=${seg.a}&l=${seg.l}&p=${seg.p}&k=${parts.appKey}&i=${parts.senid}&n=${parts.nonce}&t=${parts.timestamp}&f=${parts.body}`;
}

export function nuonuoSign(appSecret: string, parts: SignedParts): string {
  return createHmac('sha1', Buffer.from(appSecret, 'utf8')).update(signingString(parts), 'utf8').digest('base64');
}

/** 唯一标识: 32 random hex characters. */
export function newSenid(): string {
  return randomBytes(16).toString('hex');
}

/** 8位随机正整数. */
export function newNonce(): string {
  return String(randomInt(10_000_000, 100_000_000));
}

/** 时间戳: seconds since the epoch. */
export function unixSeconds(at: Date): string {
  return String(Math.floor(at.getTime() / 1000));
}
