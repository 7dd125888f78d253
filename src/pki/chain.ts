/**
 * A certificate's chain up to a trusted root, checked link by link: each certificate's issuer name
 * is its parent's subject and its signature verifies under the parent's key (SM2-with-SM3 with the
 * default ID, or ECDSA-with-SHA256), every certificate is within its validity at the given time,
 * and the chain ends at a self-signed certificate the caller trusts. OpenSSL 3.0's `verify` cannot
 * check an SM2 chain in one go (the distinguishing ID reaches only the leaf); this can, for both
 * families. Revocation is not judged here: that is the CRL's and OCSP's.
 */
import { BasicConstraints, Certificate, id_ce_basicConstraints } from '@peculiar/asn1-x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { parseCertificate, tbsFields, type CertificateInfo } from './certificate-info.ts';
import { verifySignature } from './verify.ts';

export interface ChainLink {
  info: CertificateInfo;
  der: Uint8Array;
}

export type ChainVerdict =
  | { ok: true; chain: ChainLink[] }
  | { ok: false; chain: ChainLink[]; reason: string };

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function issuerNameDer(der: Uint8Array): Uint8Array {
  const cert = AsnConvert.parse(der, Certificate);
  return new Uint8Array(AsnConvert.serialize(cert.tbsCertificate.issuer));
}

/** basicConstraints cA: only a CA certificate may sign another certificate. */
function isCa(der: Uint8Array): boolean {
  const ext = AsnConvert.parse(der, Certificate).tbsCertificate.extensions?.find((e) => e.extnID === id_ce_basicConstraints);
  return ext ? AsnConvert.parse(ext.extnValue.buffer, BasicConstraints).cA : false;
}

/** The signature algorithm outside the signed part must be the one inside it (RFC 5280 4.1.1.2). */
function algorithmsAgree(der: Uint8Array): boolean {
  const cert = AsnConvert.parse(der, Certificate);
  return sameBytes(new Uint8Array(AsnConvert.serialize(cert.signatureAlgorithm)), new Uint8Array(AsnConvert.serialize(cert.tbsCertificate.signature)));
}

const subjectNameDer = (der: Uint8Array) => Uint8Array.from(tbsFields(der).subject.raw);
const isSelfIssued = (der: Uint8Array) => sameBytes(issuerNameDer(der), subjectNameDer(der));

/**
 * Builds and checks the chain of `leaf` from `candidates` (issuing CAs, roots); it must end at one
 * of `trusted` (self-signed roots). Never throws on bad input: the verdict says what is wrong.
 */
export function verifyChain(leaf: Uint8Array, candidates: Uint8Array[], trusted: Uint8Array[], at: Date): ChainVerdict {
  const chain: ChainLink[] = [];
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    let info: CertificateInfo;
    try {
      info = parseCertificate(current);
    } catch {
      return { ok: false, chain, reason: depth === 0 ? '文件不是 X.509 证书' : '证书链中有无法解析的证书' };
    }
    chain.push({ info, der: current });
    if (!algorithmsAgree(current)) return { ok: false, chain, reason: `证书“${info.subject.text}”的签名算法前后不一致，证书可能被篡改` };
    if (at < info.notBefore) return { ok: false, chain, reason: `证书“${info.subject.text}”尚未生效` };
    if (at > info.notAfter) return { ok: false, chain, reason: `证书“${info.subject.text}”已过期` };
    if (isSelfIssued(current)) {
      if (!verifySignature(info.spki, info.tbs, info.signature)) return { ok: false, chain, reason: `根证书“${info.subject.text}”的自签名无效` };
      if (!trusted.some((t) => sameBytes(t, current))) return { ok: false, chain, reason: `根证书“${info.subject.text}”不在信任的根证书中` };
      return { ok: true, chain };
    }
    const issuerName = issuerNameDer(current);
    const parent = [...candidates, ...trusted].find((c) => {
      try {
        return sameBytes(subjectNameDer(c), issuerName);
      } catch {
        return false;
      }
    });
    if (!parent) return { ok: false, chain, reason: `找不到签发者“${info.issuer.text}”的证书，请用 --ca 提供` };
    if (!isCa(parent)) return { ok: false, chain, reason: `“${info.issuer.text}”不是 CA 证书，不能签发证书` };
    if (!verifySignature(parseCertificate(parent).spki, info.tbs, info.signature)) {
      return { ok: false, chain, reason: `证书“${info.subject.text}”的签名不是由“${info.issuer.text}”签发的，证书可能被篡改` };
    }
    current = parent;
  }
  return { ok: false, chain, reason: '证书链过长' };
}

/** Every certificate in a file: each PEM block of it, or the file itself as DER. */
export function certificatesIn(bytes: Uint8Array): Uint8Array[] {
  const text = Buffer.from(bytes).toString('latin1');
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) return [bytes];
  return blocks.map((m) => Uint8Array.from(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')));
}

const familyWords = { sm2: 'SM2-with-SM3，默认用户标识 1234567812345678', p256: 'ECDSA-with-SHA256（P-256）' } as const;
const day = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * `certdesk cert verify`: the verdict as the operator reads it. `trustedAndOthers`: the --ca
 * files; their self-signed certificates are the roots trusted, the rest candidate issuers.
 */
export function chainReport(leaf: Uint8Array, caCertificates: Uint8Array[], at: Date): { ok: boolean; stdout: string[]; stderr: string[] } {
  const roots = caCertificates.filter((c) => {
    try {
      return isSelfIssued(c);
    } catch {
      return false;
    }
  });
  if (roots.length === 0) {
    return { ok: false, stdout: [], stderr: ['请用 --ca 指定信任的根证书（如从 /ca/sm2-root.crt 下载的根 CA 证书），签发 CA 证书可一并用 --ca 提供'] };
  }
  const verdict = verifyChain(certificatesIn(leaf)[0] ?? leaf, caCertificates.filter((c) => !roots.includes(c)), roots, at);
  const stdout = verdict.chain.map((link, i) => {
    const name = link.info.subject.organization && i === 0 ? link.info.subject.text : (link.info.subject.commonName ?? link.info.subject.text);
    const role = i === 0 ? '证书' : i === verdict.chain.length - 1 && verdict.ok ? '根证书（受信任）' : '签发者';
    return `${'  '.repeat(i)}${role}：${name}，序列号 ${link.info.serialHex}，有效期 ${day(link.info.notBefore)} 至 ${day(link.info.notAfter)}`;
  });
  if (!verdict.ok) return { ok: false, stdout, stderr: [`证书链验证失败：${verdict.reason}`] };
  const family = verdict.chain[0]?.info.family;
  stdout.push(`证书链验证通过：每一级签名均已核验（${family ? familyWords[family] : '未知算法'}），均在有效期内。`);
  stdout.push('未检查吊销状态：请查询证书中的 OCSP 地址或吊销列表（CRL）。');
  return { ok: true, stdout, stderr: [] };
}
