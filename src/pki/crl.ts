/**
 * Certificate revocation lists (RFC 5280 §5, v2): built from the revoked entries the app hands
 * over and signed through a `Signer`; parsed back for our own verifier. This module owns the
 * revocation reason names used across pki (OCSP answers with the same codes).
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  CertificateList,
  CRLReason,
  Extension,
  KeyIdentifier,
  RevokedCertificate,
  TBSCertList,
  Time,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
} from '@peculiar/asn1-x509';
import type { Signer } from './signer.ts';
import { bits, seq, uint } from './der.ts';
import { describeIssuer, serialFromHex, serialToHex, signatureAlgorithm, toHex, type IssuerInfo } from './issuer.ts';

/** CRLReason codes (RFC 5280 §5.3.1); 7 is unused by the RFC. */
export const revocationReasons = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export type RevocationReason = keyof typeof revocationReasons;

/** What users read for each reason. */
export const revocationReasonLabels: Record<RevocationReason, string> = {
  unspecified: '未说明',
  keyCompromise: '密钥泄露',
  cACompromise: 'CA 密钥泄露',
  affiliationChanged: '单位信息变更',
  superseded: '证书已被替换',
  cessationOfOperation: '停止使用',
  certificateHold: '证书冻结',
  removeFromCRL: '从列表移除',
  privilegeWithdrawn: '权限撤销',
  aACompromise: '属性机构密钥泄露',
};

export function reasonFromCode(code: number): RevocationReason | undefined {
  return (Object.keys(revocationReasons) as RevocationReason[]).find((k) => revocationReasons[k] === code);
}

export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
  /** Absent means no reasonCode extension (RFC 5280 prefers that to "unspecified"). */
  reason?: RevocationReason;
}

export interface CrlInput {
  /** The CA certificate (DER) or what was already read from it. */
  issuer: Uint8Array | IssuerInfo;
  signer: Signer;
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonically increasing per CA (RFC 5280 §5.2.3). */
  crlNumber: bigint | number;
  entries: readonly RevokedEntry[];
}

function extension(extnID: string, value: unknown): Extension {
  return new Extension({ extnID, critical: false, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** CRL number as a DER INTEGER; the asn1-x509 CRLNumber holds only a JS number, too small for 20 octets. */
function crlNumberExtension(n: bigint | number): Extension {
  if (BigInt(n) < 0n) throw new Error('CRL 编号不能为负数');
  return new Extension({ extnID: id_ce_cRLNumber, critical: false, extnValue: new OctetString(uint(n)) });
}

/** Builds and signs a v2 CRL; returns its DER. */
export function buildCrl(input: CrlInput): Uint8Array {
  const issuer = input.issuer instanceof Uint8Array ? describeIssuer(input.issuer) : input.issuer;
  const algorithm = signatureAlgorithm(input.signer.signatureOid);
  const revoked = input.entries.map(
    (e) =>
      new RevokedCertificate({
        userCertificate: serialFromHex(e.serialHex),
        revocationDate: new Time(e.revokedAt),
        crlEntryExtensions:
          e.reason === undefined
            ? undefined
            : [extension(id_ce_cRLReasons, new CRLReason(revocationReasons[e.reason]))],
      }),
  );
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: algorithm,
    issuer: issuer.name,
    thisUpdate: new Time(input.thisUpdate),
    nextUpdate: new Time(input.nextUpdate),
    // An empty SEQUENCE OF is not allowed: omit the field when nothing is revoked.
    revokedCertificates: revoked.length > 0 ? revoked : undefined,
    crlExtensions: [
      extension(
        id_ce_authorityKeyIdentifier,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(issuer.keyId) }),
      ),
      crlNumberExtension(input.crlNumber),
    ],
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = input.signer.sign(tbsDer);
  return seq(tbsDer, new Uint8Array(AsnConvert.serialize(algorithm)), bits(signature));
}

export interface ParsedCrl {
  /** DER of the issuer Name. */
  issuerDer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  crlNumber?: bigint;
  /** Hex of the AuthorityKeyIdentifier keyIdentifier, if present. */
  authorityKeyIdHex?: string;
  entries: RevokedEntry[];
  signatureOid: string;
  /** The bytes the signature covers, exactly as in the CRL. */
  tbs: Uint8Array;
  /** DER SEQUENCE { r, s } for ECDSA and SM2. */
  signature: Uint8Array;
}

/** Parses a CRL (DER). Does not check the signature: hand `tbs` and `signature` to a verifier. */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const list = AsnConvert.parse(der, CertificateList);
  const tbs = list.tbsCertList;
  if (!list.tbsCertListRaw) throw new Error('CRL 结构错误：缺少待签名部分');
  const entries: RevokedEntry[] = (tbs.revokedCertificates ?? []).map((r) => {
    const reasonExt = r.crlEntryExtensions?.find((e) => e.extnID === id_ce_cRLReasons);
    const reason = reasonExt
      ? reasonFromCode(AsnConvert.parse(reasonExt.extnValue, CRLReason).reason)
      : undefined;
    return { serialHex: serialToHex(r.userCertificate), revokedAt: r.revocationDate.getTime(), reason };
  });
  const numberExt = tbs.crlExtensions?.find((e) => e.extnID === id_ce_cRLNumber);
  const akiExt = tbs.crlExtensions?.find((e) => e.extnID === id_ce_authorityKeyIdentifier);
  const aki = akiExt ? AsnConvert.parse(akiExt.extnValue, AuthorityKeyIdentifier) : undefined;
  return {
    issuerDer: new Uint8Array(AsnConvert.serialize(tbs.issuer)),
    thisUpdate: tbs.thisUpdate.getTime(),
    nextUpdate: tbs.nextUpdate?.getTime(),
    crlNumber: numberExt ? BigInt(`0x${serialToHex(new Uint8Array(numberExt.extnValue.buffer).slice(2))}`) : undefined,
    authorityKeyIdHex: aki?.keyIdentifier ? toHex(aki.keyIdentifier.buffer) : undefined,
    entries,
    signatureOid: list.signatureAlgorithm.algorithm,
    tbs: new Uint8Array(list.tbsCertListRaw),
    signature: new Uint8Array(list.signature),
  };
}
