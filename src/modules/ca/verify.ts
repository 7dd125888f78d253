/**
 * The public verifier behind /verify: a certificate, a seal file, a signed PDF or a serial →
 * 有效 / 已吊销 / 已过期 / 非本CA签发 (or 无效 / 未找到), with the details in Chinese. "Ours" means
 * the certificate is the one stored when we issued it, or verifies under one of our CA keys.
 */
import type { Db } from '../../db/database.ts';
import { parseCertificate, type CertificateInfo, type NameSummary } from '../../pki/certificate-info.ts';
import { fromPem } from '../../pki/der.ts';
import { signatureOids } from '../../pki/signer.ts';
import { verifySignature } from '../../pki/verify.ts';
import { verifySeal } from '../../seal/ses.ts';
import type { CaSet } from './authority.ts';
import * as repo from './repository.ts';
import { normaliseSerial } from './service.ts';
import { certificateState, reasonLabel } from './views.ts';
import { predecessorLabels, successionLabels, successorLabels } from '../../domain/aftersales.ts';

export type Verdict = 'valid' | 'renewed' | 'revoked' | 'expired' | 'foreign' | 'invalid' | 'not_found';
export const verdictLabels: Record<Verdict, string> = {
  valid: '有效',
  /** Still valid until its own end, and followed by a newer certificate (续期). */
  renewed: '已续期',
  revoked: '已吊销',
  expired: '已过期',
  foreign: '非本CA签发',
  invalid: '无效',
  not_found: '未找到',
};

export interface Detail {
  label: string;
  value: string;
}

export interface VerifyResult {
  kind: 'certificate' | 'seal' | 'pdf' | 'serial';
  kindLabel: string;
  verdict: Verdict;
  verdictLabel: string;
  details: Detail[];
  reasons: string[];
  /** For a PDF: one result per signature. */
  signatures?: VerifyResult[];
}

const kindLabels = { certificate: '数字证书', seal: '电子印章', pdf: '签名文档（PDF）', serial: '证书序列号' } as const;

/** Beijing time, as people here read it. */
function beijing(date: Date): string {
  return new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ') + '（北京时间）';
}

function result(kind: VerifyResult['kind'], verdict: Verdict, details: Detail[], reasons: string[] = []): VerifyResult {
  return { kind, kindLabel: kindLabels[kind], verdict, verdictLabel: verdictLabels[verdict], details, reasons };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * Who a certificate names, as people read it: the unit and its 统一社会信用代码 (public, and what a
 * relying party checks against its counterparty), not an X.500 string; that only for other names.
 */
function subjectDetails(subject: Pick<NameSummary, 'organization' | 'commonName' | 'uscc' | 'text'>): Detail[] {
  const unit = subject.organization ?? subject.commonName;
  return [
    unit ? { label: '单位名称', value: unit } : { label: '证书主题', value: subject.text },
    ...(subject.uscc ? [{ label: '统一社会信用代码', value: subject.uscc }] : []),
  ];
}

/** The issuing CA by its own name (its CN: 「… SM2 签发CA」). */
const issuerText = (issuer: NameSummary) => issuer.commonName ?? issuer.organization ?? issuer.text;

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';
/** Control bytes no text file has (tab, line feed and carriage return aside). */
const BINARY = /[\x00-\x08\x0e-\x1f]/;

export function createVerifier(deps: { db: Db; cas: CaSet; clock: () => Date }) {
  const { db, cas, clock } = deps;

  /** The lineage: what this certificate succeeds (续期 / 变更 / 补办), and what succeeded it. */
  async function lineage(row: repo.CertificateRow): Promise<{ successor: repo.CertificateRow | undefined; details: Detail[] }> {
    const successor = await repo.successorOf(db, row.serialHex);
    const why = (r: repo.CertificateRow) => r.succession ?? 'renewed';
    return {
      successor,
      details: [
        ...(row.predecessorSerialHex ? [{ label: predecessorLabels[why(row)], value: row.predecessorSerialHex }] : []),
        ...(successor
          ? [
              { label: '后续证书', value: successionLabels[why(successor)] },
              { label: successorLabels[why(successor)], value: `${successor.serialHex}（${beijing(successor.notBefore)} 起）` },
            ]
          : []),
      ],
    };
  }

  async function rowResult(row: repo.CertificateRow, now: Date): Promise<{ verdict: Verdict; details: Detail[]; reasons: string[] }> {
    const { successor, details } = await lineage(row);
    const state = rowVerdict(row, now);
    // Only a renewal leaves the old certificate valid; a change or a reissue follows its revocation.
    const followed = successor ? (successor.succession ?? 'renewed') : undefined;
    const verdict: Verdict = state === 'valid' && followed === 'renewed' ? 'renewed' : state;
    const reasons = !successor
      ? []
      : verdict === 'renewed'
        ? [`该证书已续期，在有效期内仍然有效；续期后的新证书序列号为 ${successor.serialHex}`]
        : followed === 'changed'
          ? [`该证书因单位信息变更已吊销；变更后的新证书序列号为 ${successor.serialHex}`]
          : followed === 'reissued'
            ? [`该证书已挂失吊销；补办的新证书序列号为 ${successor.serialHex}`]
            : [];
    return { verdict, details: [...rowDetails(row), ...details], reasons };
  }

  function rowDetails(row: repo.CertificateRow): Detail[] {
    return [
      ...subjectDetails({ organization: row.subjectOrg ?? undefined, commonName: row.subjectCn, uscc: row.subjectUscc ?? undefined, text: row.subjectCn }),
      { label: '序列号', value: row.serialHex },
      { label: '有效期', value: `${beijing(row.notBefore)} 至 ${beijing(row.notAfter)}` },
      { label: '颁发者', value: issuerText(parseCertificate(row.der).issuer) },
      ...(row.revokedAt ? [{ label: '吊销时间', value: beijing(row.revokedAt) }] : []),
      ...(reasonLabel(row.revocationReason) ? [{ label: '吊销原因', value: reasonLabel(row.revocationReason) ?? '' }] : []),
    ];
  }

  function rowVerdict(row: repo.CertificateRow, now: Date): Verdict {
    return certificateState(row, now);
  }

  async function certificateVerdict(der: Uint8Array, info: CertificateInfo): Promise<{ verdict: Verdict; details: Detail[]; reasons: string[] }> {
    const now = clock();
    const infoDetails: Detail[] = [
      ...subjectDetails(info.subject),
      { label: '序列号', value: info.serialHex },
      { label: '有效期', value: `${beijing(info.notBefore)} 至 ${beijing(info.notAfter)}` },
      { label: '颁发者', value: issuerText(info.issuer) },
    ];
    const row = await repo.certificateBySerial(db, info.serialHex);
    if (row && sameBytes(row.der, der)) return rowResult(row, now);
    const ca = cas.all.find((c) => sameBytes(c.certificate, der));
    if (ca) {
      const verdict: Verdict = now > info.notAfter ? 'expired' : 'valid';
      return { verdict, details: [...infoDetails, { label: '类型', value: ca.role === 'root' ? '本机构根CA证书' : '本机构签发CA证书' }], reasons: [] };
    }
    const signedByUs = cas.all.some(
      (c) => info.family === c.family && info.signatureOid === signatureOids[c.family] && verifySignature(c.signer.spki, info.tbs, info.signature),
    );
    if (signedByUs) {
      return { verdict: 'invalid', details: infoDetails, reasons: ['证书由本机构 CA 密钥签名，但不在签发记录中'] };
    }
    return { verdict: 'foreign', details: infoDetails, reasons: ['该证书不是本机构 CA 签发的'] };
  }

  async function certificate(der: Uint8Array): Promise<VerifyResult> {
    let info: CertificateInfo;
    try {
      info = parseCertificate(der);
    } catch {
      return result('certificate', 'invalid', [], ['证书格式错误，无法解析']);
    }
    const v = await certificateVerdict(der, info);
    return result('certificate', v.verdict, v.details, v.reasons);
  }

  async function seal(der: Uint8Array): Promise<VerifyResult | undefined> {
    const now = clock();
    const makers = (await repo.serviceCertificates(db, 'sealMaker')).map((r) => r.der);
    const checked = verifySeal(der, { now, trustedMakerCertificates: makers });
    if (!checked.seal) return undefined;
    const s = checked.seal;
    const details: Detail[] = [
      { label: '印章名称', value: s.name },
      { label: '印章标识', value: s.esID },
      { label: '制作时间', value: beijing(s.validity.createDate) },
      { label: '有效期', value: `${beijing(s.validity.validStart)} 至 ${beijing(s.validity.validEnd)}` },
    ];
    const reasons = [...checked.reasons];
    let verdict: Verdict = checked.ok ? 'valid' : 'invalid';
    if (reasons.some((r) => r.includes('不受信任'))) verdict = 'foreign';
    else if (reasons.length === 1 && reasons[0] === '印章已过期') verdict = 'expired';
    if (verdict === 'valid') {
      // The seal is only as good as the certificates it is bound to.
      for (const bound of s.boundCertificates) {
        const info = parseCertificate(bound);
        const v = await certificateVerdict(bound, info);
        const unit = info.subject.organization ?? info.subject.commonName ?? info.subject.text;
        details.push({ label: '绑定证书', value: `${unit}，序列号 ${info.serialHex}（${verdictLabels[v.verdict]}）` });
        if (v.verdict === 'revoked' || v.verdict === 'expired') {
          verdict = v.verdict;
          reasons.push(`绑定的签章者证书${verdictLabels[v.verdict]}`);
        }
      }
      const made = await repo.sealByEsId(db, s.esID);
      if (!made) {
        verdict = 'invalid';
        reasons.push('本机构没有该印章的制作记录');
      } else if (made.supersededAt) {
        details.push({ label: '印章状态', value: `已被新印章取代（${beijing(made.supersededAt)}），新印章标识 ${made.supersededBy ?? ''}` });
      }
    }
    return result('seal', verdict, details, reasons);
  }

  async function pdf(bytes: Uint8Array): Promise<VerifyResult> {
    // Loaded on the first PDF: pdf-lib costs every `certdesk` command (which opens the CA) ~0.3 s to import.
    const { inspectPdfSignatures } = await import('../../pdf/inspect.ts');
    const reports = await inspectPdfSignatures(bytes);
    if (reports.length === 0) return result('pdf', 'invalid', [], ['文档中没有数字签名，或文件无法读取']);
    const signatures: VerifyResult[] = [];
    for (const r of reports) {
      const details: Detail[] = [
        { label: '签名者', value: [r.signer.organisation, r.signer.commonName].filter(Boolean).join(' / ') || '未知' },
        ...(r.signingTime ? [{ label: '签名时间', value: beijing(r.signingTime) }] : []),
        { label: '文档完整性', value: r.intact ? (r.coversWholeFile ? '签名后未被修改' : '签名部分未被修改，其后有追加内容') : '签名后已被修改或签名无效' },
      ];
      const signerDer = r.certificates[0];
      if (!r.intact || !signerDer) {
        signatures.push(result('pdf', 'invalid', details, ['签名验证失败：文档内容已被修改或签名无效']));
        continue;
      }
      const v = await certificateVerdict(signerDer, parseCertificate(signerDer));
      // The signer line above already names the unit; the serial and validity are the certificate's, not the document's.
      const certificateDetails = v.details
        .filter((d) => d.label !== '单位名称' && d.label !== '证书主题')
        .map((d) => (d.label === '序列号' || d.label === '有效期' ? { ...d, label: `签名证书${d.label}` } : d));
      // A document signed with a certificate since renewed is as valid as the certificate still is.
      signatures.push(result('pdf', v.verdict === 'renewed' ? 'valid' : v.verdict, [...details, ...certificateDetails], v.reasons));
    }
    const worst = signatures.find((s) => s.verdict !== 'valid') ?? signatures[0]!;
    return { ...result('pdf', worst.verdict, worst.details, worst.reasons), signatures };
  }

  return {
    async serial(input: string): Promise<VerifyResult> {
      const row = await repo.certificateBySerial(db, normaliseSerial(input));
      if (!row) return result('serial', 'not_found', [{ label: '序列号', value: input }], ['本机构没有签发该序列号的证书']);
      const r = await rowResult(row, clock());
      return result('serial', r.verdict, r.details, r.reasons);
    },

    /**
     * An uploaded file: PDF, certificate (PEM or DER) or seal, told apart by content. A PEM file's
     * certificate may follow other text (`openssl pkcs12 -nokeys` writes Bag Attributes first) or
     * another block (a private key): it is the certificate's DER that is judged, never the text.
     * A binary file is never read as PEM: a made-up seal carrying one of our certificates as text
     * inside must be judged as the seal it claims to be, not as that certificate.
     */
    async file(bytes: Uint8Array): Promise<VerifyResult | undefined> {
      const text = Buffer.from(bytes).toString('latin1');
      if (text.startsWith('%PDF-')) return pdf(bytes);
      const binary = BINARY.test(text);
      const pemAt = binary ? -1 : text.indexOf(PEM_CERTIFICATE);
      if (pemAt >= 0) {
        let der: Uint8Array;
        try {
          der = fromPem(text.slice(pemAt), 'CERTIFICATE');
        } catch {
          return result('certificate', 'invalid', [], ['证书格式错误，无法解析']);
        }
        return certificate(der);
      }
      // DER: a SEQUENCE (parseCertificate would also decode a PEM block found inside: not here).
      if (bytes[0] === 0x30 && !text.includes('-----BEGIN ')) {
        try {
          parseCertificate(bytes);
          return await certificate(bytes);
        } catch {
          // not a certificate: perhaps a seal
        }
      }
      return seal(bytes);
    },
  };
}

export type Verifier = ReturnType<typeof createVerifier>;
