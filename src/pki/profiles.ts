/**
 * Certificate profiles as data: what each kind of certificate CertDesk issues may do (key usage,
 * extended key usage, CA constraints), how long it lives by default, and which revocation pointers
 * it carries. certificate.ts turns a profile into DER once per issuing CA; adding a kind of
 * certificate means adding an entry here, not a branch there.
 *
 * Where the 统一社会信用代码 (USCC) goes — both places, for two kinds of reader:
 *  1. Subject serialNumber (2.5.4.5, PrintableString): the X.520 attribute for an identifier of the
 *     subject, shown by every generic tool (`openssl x509 -subject`, NSS, Windows), and the place
 *     ETSI EN 319 412-1 puts organisation identifiers. The subject reads C=CN, O=单位名称,
 *     CN=单位名称, serialNumber=USCC, so two units with the same name stay distinct DNs.
 *  2. The GM/T 0015 private extension 1.2.156.10260.4.1.4, non-critical, PrintableString. GM/T
 *     0015-2012 §(entity-identifier extensions) defines under 1.2.156.10260.4.1: .1 个人身份标识码,
 *     .2 个人社会保险号, .3 企业工商注册号, .4 企业组织机构代码, .5 企业税号. Since 三证合一 (GB 32100-2015)
 *     the USCC replaces the three enterprise numbers and embeds the organisation code (characters
 *     9–17); Chinese middleware reads the unit identifier by OID (`SOF_GetCertInfoByOid(cert,
 *     "1.2.156.10260.4.1.4")`), and published CA integration guides map 1.2.156.10260.4.1.4 to
 *     统一社会信用代码 for SM2 certificates. GM/T 0015-2023's change list adds "统一社会信用代码"
 *     (§5.2); we could not read which OID the 2023 text assigns, so the OID is profile data
 *     (`usccExtensionOid`) to change in one place once checked against the standard's text.
 * Sources: GM/T 0015-2012 and the GM/T 0015-2023 foreword (docx.baby/p/20797428952901.html), found
 * with the project's search tool; GB 32100-2015 for the USCC structure.
 */
import type { KeyFamily } from './signer.ts';

export type KeyUsageBit =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign';

/** Bit positions from RFC 5280 §4.2.1.3. */
export const keyUsageBits: Record<KeyUsageBit, number> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
};

export const ekuOids = {
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  /** Microsoft Document Signing: Acrobat accepts it; harmless to NSS beside emailProtection. */
  documentSigning: '1.3.6.1.4.1.311.10.3.12',
} as const;

export const usccExtensionOid = '1.2.156.10260.4.1.4';

export type ProfileName =
  | 'rootCa'
  | 'issuingCa'
  | 'unitSigning'
  | 'unitEncryption'
  | 'ocspSigning'
  | 'documentSigning'
  | 'sealMaker';

export interface CertificateProfile {
  readonly name: ProfileName;
  /** What staff and applicants read. */
  readonly label: string;
  /** Key families this profile may be issued for. */
  readonly families: readonly KeyFamily[];
  readonly keyUsage: readonly KeyUsageBit[];
  /** Extended key usage OIDs; empty means the extension is left out. */
  readonly extendedKeyUsage: readonly string[];
  /** basicConstraints: a CA (with optional path length) or an end entity. Always critical. */
  readonly basicConstraints: { readonly ca: true; readonly pathLength?: number } | { readonly ca: false };
  /** CRL distribution point and AIA (OCSP + caIssuers) pointing at the issuing CA. */
  readonly revocationPointers: boolean;
  /** id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): for the OCSP responder's own certificate. */
  readonly ocspNoCheck: boolean;
  /** Put the subject's USCC also into the GM/T 0015 extension (see header). */
  readonly usccExtension: boolean;
  readonly defaultValidity: { readonly years: number };
}

const endEntity = { ca: false } as const;
const both: readonly KeyFamily[] = ['sm2', 'p256'];

export const profiles: Readonly<Record<ProfileName, CertificateProfile>> = {
  rootCa: {
    name: 'rootCa',
    label: '根CA证书',
    families: both,
    keyUsage: ['keyCertSign', 'cRLSign'],
    extendedKeyUsage: [],
    basicConstraints: { ca: true },
    revocationPointers: false,
    ocspNoCheck: false,
    usccExtension: false,
    defaultValidity: { years: 20 },
  },
  issuingCa: {
    name: 'issuingCa',
    label: '签发CA证书',
    families: both,
    // digitalSignature too: the issuing CA may sign OCSP responses itself (RFC 6960 §4.2.2.2).
    keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
    extendedKeyUsage: [],
    basicConstraints: { ca: true, pathLength: 0 },
    revocationPointers: true,
    ocspNoCheck: false,
    usccExtension: false,
    defaultValidity: { years: 10 },
  },
  unitSigning: {
    name: 'unitSigning',
    label: '单位签名证书',
    families: both,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [ekuOids.clientAuth, ekuOids.emailProtection],
    basicConstraints: endEntity,
    revocationPointers: true,
    ocspNoCheck: false,
    usccExtension: true,
    defaultValidity: { years: 1 },
  },
  unitEncryption: {
    name: 'unitEncryption',
    label: '单位加密证书',
    // The second certificate of an SM2 dual pair (GM/T 0015 双证书): its key is for enveloping.
    families: ['sm2'],
    keyUsage: ['keyEncipherment', 'dataEncipherment', 'keyAgreement'],
    extendedKeyUsage: [],
    basicConstraints: endEntity,
    revocationPointers: true,
    ocspNoCheck: false,
    usccExtension: true,
    defaultValidity: { years: 1 },
  },
  ocspSigning: {
    name: 'ocspSigning',
    label: 'OCSP签名证书',
    families: both,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [ekuOids.ocspSigning],
    basicConstraints: endEntity,
    revocationPointers: false,
    ocspNoCheck: true,
    usccExtension: false,
    defaultValidity: { years: 1 },
  },
  documentSigning: {
    name: 'documentSigning',
    label: '文档签名证书',
    // poppler verifies PDF signers through NSS as certificateUsageEmailSigner, which wants
    // digitalSignature or nonRepudiation and, when an EKU is present, emailProtection in it.
    families: both,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [ekuOids.emailProtection, ekuOids.documentSigning],
    basicConstraints: endEntity,
    revocationPointers: true,
    ocspNoCheck: false,
    usccExtension: true,
    defaultValidity: { years: 1 },
  },
  sealMaker: {
    name: 'sealMaker',
    label: '制章人证书',
    // GB/T 38540 signs the SESeal with the maker's key; SM2 only, as the seal format requires.
    families: ['sm2'],
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [],
    basicConstraints: endEntity,
    revocationPointers: true,
    ocspNoCheck: false,
    usccExtension: true,
    defaultValidity: { years: 3 },
  },
};

/** A distinguished name as CertDesk writes it; attributes appear in this order when present. */
export interface SubjectName {
  readonly country?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly commonName: string;
  /** For units: the USCC (see header). */
  readonly serialNumber?: string;
}

/** The subject of a unit (单位) certificate: C=CN, O=CN=单位名称, serialNumber=USCC. */
export function unitSubject(unitName: string, uscc: string): SubjectName {
  return { country: 'CN', organization: unitName, commonName: unitName, serialNumber: uscc };
}

/** Where relying parties fetch revocation data and the CA certificate, per issuing CA. */
export interface RevocationUrls {
  readonly crl: string;
  readonly ocsp: string;
  readonly caIssuers: string;
}

/** `<base>/crl/<ca>.crl`, `<base>/ocsp`, `<base>/ca/<ca>.crt` — the routes the app serves. */
export function revocationUrls(baseUrl: string, caName: string): RevocationUrls {
  const base = baseUrl.replace(/\/+$/, '');
  const ca = encodeURIComponent(caName);
  return { crl: `${base}/crl/${ca}.crl`, ocsp: `${base}/ocsp`, caIssuers: `${base}/ca/${ca}.crt` };
}

/**
 * The end of validity: `years` (the paid term) or the profile's default after `notBefore`. A term
 * starting on 29 February ends on 28 February, never on 1 March.
 */
export function validityEnd(profile: CertificateProfile, notBefore: Date, years = profile.defaultValidity.years): Date {
  const end = new Date(notBefore.getTime());
  end.setUTCFullYear(end.getUTCFullYear() + years);
  if (end.getUTCDate() !== notBefore.getUTCDate()) end.setUTCDate(0);
  return end;
}
