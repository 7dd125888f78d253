import { describe, expect, it } from 'vitest';
import { caInit, issueCertificate } from './certificate.ts';
import { certificatesIn, chainReport, verifyChain } from './chain.ts';
import { toPem } from './der.ts';
import { generateKey } from './keys.ts';
import { profiles, unitSubject, validityEnd } from './profiles.ts';

const baseUrl = 'http://127.0.0.1:8080';
const now = new Date(Date.UTC(2026, 0, 15, 8, 0, 0));
const unit = unitSubject('北京测试科技有限公司', '91110108MA01ABCD2X');

describe.each(['sm2', 'p256'] as const)('%s chains', (family) => {
  const ca = caInit({ family, baseUrl, now });
  const other = caInit({ family, baseUrl, now });
  const leafKey = generateKey(family);
  const leaf = issueCertificate({
    profile: profiles.unitSigning,
    subject: unit,
    subjectSpki: leafKey.signer.spki,
    issuer: { signer: ca.issuing.key.signer, certificate: ca.issuing.certificate, caName: ca.issuing.caName },
    notBefore: now,
    notAfter: validityEnd(profiles.unitSigning, now),
    baseUrl,
  });
  const at = new Date(now.getTime() + 60_000);

  it('verifies a unit certificate up to the trusted root, link by link', () => {
    const verdict = verifyChain(leaf, [ca.issuing.certificate], [ca.root.certificate], at);
    expect(verdict.ok, verdict.ok ? '' : verdict.reason).toBe(true);
    expect(verdict.chain.map((l) => l.info.subject.organization ?? l.info.subject.commonName)).toHaveLength(3);
  });

  it('refuses a root it was not told to trust, a missing issuer, a changed byte and an expired certificate', () => {
    const untrusted = verifyChain(leaf, [ca.issuing.certificate, ca.root.certificate], [other.root.certificate], at);
    expect(untrusted).toMatchObject({ ok: false, reason: expect.stringContaining('不在信任的根证书中') });
    expect(verifyChain(leaf, [], [ca.root.certificate], at)).toMatchObject({ ok: false, reason: expect.stringContaining('找不到签发者') });
    // The same names, another CA's keys: the signature gives it away.
    expect(verifyChain(leaf, [other.issuing.certificate], [other.root.certificate], at)).toMatchObject({ ok: false, reason: expect.stringContaining('签名不是由') });
    // One character of the signed subject changed (the USCC's last), and one byte of the signature.
    const subject = Uint8Array.from(leaf);
    subject[Buffer.from(leaf).lastIndexOf('2X') + 1] = 'Y'.charCodeAt(0);
    expect(verifyChain(subject, [ca.issuing.certificate], [ca.root.certificate], at)).toMatchObject({ ok: false, reason: expect.stringContaining('签名不是由') });
    const signature = Uint8Array.from(leaf);
    signature[signature.length - 5]! ^= 1;
    expect(verifyChain(signature, [ca.issuing.certificate], [ca.root.certificate], at).ok).toBe(false);
    const later = new Date(now.getTime() + 3 * 365 * 86_400_000);
    expect(verifyChain(leaf, [ca.issuing.certificate], [ca.root.certificate], later)).toMatchObject({ ok: false, reason: expect.stringContaining('已过期') });
    expect(verifyChain(new TextEncoder().encode('not a certificate'), [], [], at)).toMatchObject({ ok: false, reason: '文件不是 X.509 证书' });
  });

  it('reports for `certdesk cert verify`: the chain in words, from --ca files in PEM (several per file) or DER', () => {
    const bundle = new TextEncoder().encode(`${toPem('CERTIFICATE', ca.issuing.certificate)}${toPem('CERTIFICATE', ca.root.certificate)}`);
    expect(certificatesIn(bundle)).toHaveLength(2);
    const report = chainReport(new TextEncoder().encode(toPem('CERTIFICATE', leaf)), certificatesIn(bundle), at);
    expect(report.ok).toBe(true);
    expect(report.stdout[0]).toContain('北京测试科技有限公司');
    expect(report.stdout.at(-2)).toContain('证书链验证通过');
    expect(report.stdout.join('\n')).toContain('根证书（受信任）');
    expect(chainReport(leaf, certificatesIn(ca.issuing.certificate), at)).toMatchObject({ ok: false, stderr: [expect.stringContaining('请用 --ca 指定信任的根证书')] });
    expect(chainReport(leaf, [ca.issuing.certificate, other.root.certificate], at)).toMatchObject({ ok: false, stderr: [expect.stringContaining('证书链验证失败')] });
  });

  it('refuses a unit certificate posing as the issuer of another', () => {
    const child = issueCertificate({
      profile: profiles.unitSigning,
      subject: unitSubject('冒名单位', '91110108MA01ABCD2X'),
      subjectSpki: generateKey(family).signer.spki,
      issuer: { signer: leafKey.signer, certificate: leaf, caName: '北京测试科技有限公司' },
      notBefore: now,
      notAfter: validityEnd(profiles.unitSigning, now),
      baseUrl,
    });
    expect(verifyChain(child, [leaf, ca.issuing.certificate], [ca.root.certificate], at)).toMatchObject({ ok: false, reason: expect.stringContaining('不是 CA 证书') });
  });
});
