/**
 * Issuing X.509 v3 certificates. Everything that depends only on the issuer and the profile
 * (signature AlgorithmIdentifier, issuer Name, AKI, key usage, CRL DP, AIA…) is encoded once and
 * cached; a certificate is then the concatenation of those bytes with its serial, validity,
 * subject, SPKI and SKI, plus one signature. That keeps DER building far below the signing cost.
 * This module signs; it never decides who deserves a certificate.
 */
import { randomBytes } from 'node:crypto';
import { certificateKeyIdentifier, tbsFields } from './certificate-info.ts';
import { ascii, bits, concat, ctx, oid, seq, tlv, Tag, uint, uintBytes } from './der.ts';
import { keyIdentifier, profileExtensions, subjectKeyIdentifierExtension, usccExtension } from './extensions.ts';
import { generateKey, type PrivateKey } from './keys.ts';
import { encodeName } from './name.ts';
import { profiles, revocationUrls, validityEnd, type CertificateProfile, type SubjectName } from './profiles.ts';
import type { KeyFamily, Signer } from './signer.ts';
import { spkiFamily } from './verify.ts';

// Reading certificates back lives in certificate-info.ts; these two were first written here.
export { certificateKeyIdentifier, tbsFields };

/** Who signs: the CA's signer plus its certificate (or, for a root being born, its name and key id). */
export interface IssuerRef {
  readonly signer: Signer;
  readonly certificate?: Uint8Array;
  readonly name?: SubjectName;
  readonly keyIdentifier?: Uint8Array;
  /** The CA's slug in the revocation URLs: `/crl/<caName>.crl`, `/ca/<caName>.crt`. */
  readonly caName: string;
}

export interface IssueRequest {
  readonly profile: CertificateProfile;
  readonly subject: SubjectName;
  readonly subjectSpki: Uint8Array;
  readonly issuer: IssuerRef;
  /** Positive serial as big-endian bytes; `randomSerial()` when absent. */
  readonly serial?: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly baseUrl: string;
}

/** 16 random bytes with the top bit cleared: positive, 127 bits of entropy (CA/B asks ≥ 64). */
export function randomSerial(): Uint8Array {
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  if (serial[0] === 0) serial[0] = 0x01;
  return new Uint8Array(serial);
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5), whole seconds, Zulu. */
export function encodeTime(date: Date): Uint8Array {
  const iso = date.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv(Tag.UTC_TIME, ascii(`${digits.slice(2)}Z`))
    : tlv(Tag.GENERALIZED_TIME, ascii(`${digits}Z`));
}

interface Prepared {
  /** What the issuer fields were read from; a different object means rebuild. */
  readonly source: Uint8Array | SubjectName | undefined;
  /** signature AlgorithmIdentifier ‖ issuer Name: the TBS fields between serial and validity. */
  readonly afterSerial: Uint8Array;
  readonly extHead: Uint8Array;
  readonly extTail: Uint8Array;
  readonly signatureAlgorithm: Uint8Array;
}

const version3 = ctx(0, true, uint(2));
const cache = new WeakMap<Signer, WeakMap<CertificateProfile, Map<string, Prepared>>>();

function prepare(issuer: IssuerRef, profile: CertificateProfile, baseUrl: string, selfSigned: boolean): Prepared {
  let byProfile = cache.get(issuer.signer);
  if (!byProfile) cache.set(issuer.signer, (byProfile = new WeakMap()));
  let byUrl = byProfile.get(profile);
  if (!byUrl) byProfile.set(profile, (byUrl = new Map()));
  const key = `${baseUrl}\u0000${issuer.caName}\u0000${selfSigned ? 'self' : ''}`;
  const hit = byUrl.get(key);
  const source = issuer.certificate ?? issuer.name;
  if (hit && hit.source === source) return hit;

  let issuerName: Uint8Array;
  let authorityKeyId: Uint8Array | undefined;
  if (issuer.certificate) {
    issuerName = Uint8Array.from(tbsFields(issuer.certificate).subject.raw);
    authorityKeyId = certificateKeyIdentifier(issuer.certificate);
  } else if (issuer.name) {
    issuerName = encodeName(issuer.name);
    authorityKeyId = selfSigned ? undefined : (issuer.keyIdentifier ?? keyIdentifier(issuer.signer.spki));
  } else {
    throw new Error('issuer needs a certificate or a name');
  }
  const signatureAlgorithm = seq(oid(issuer.signer.signatureOid));
  const urls = selfSigned ? undefined : revocationUrls(baseUrl, issuer.caName);
  const { head, tail } = profileExtensions(profile, authorityKeyId, urls);
  const prepared: Prepared = {
    source,
    afterSerial: concat([signatureAlgorithm, issuerName]),
    extHead: head,
    extTail: tail,
    signatureAlgorithm,
  };
  byUrl.set(key, prepared);
  return prepared;
}

function assemble(request: IssueRequest, prepared: Prepared): Uint8Array {
  const { profile, subject, subjectSpki } = request;
  const family = spkiFamily(subjectSpki);
  if (!family || !profile.families.includes(family)) {
    throw new RangeError(`profile ${profile.name} does not accept a ${family ?? 'unknown'} key`);
  }
  if (request.notAfter.getTime() <= request.notBefore.getTime()) throw new RangeError('notAfter must follow notBefore');
  const uscc = profile.usccExtension && subject.serialNumber !== undefined ? usccExtension(subject.serialNumber) : new Uint8Array(0);
  const tbs = seq(
    version3,
    uintBytes(request.serial ?? randomSerial()),
    prepared.afterSerial,
    seq(encodeTime(request.notBefore), encodeTime(request.notAfter)),
    encodeName(subject),
    subjectSpki,
    ctx(3, true, seq(prepared.extHead, subjectKeyIdentifierExtension(subjectSpki), prepared.extTail, uscc)),
  );
  return seq(tbs, prepared.signatureAlgorithm, bits(request.issuer.signer.sign(tbs)));
}

/** Issues one certificate (DER). The subject comes from the verified application, never a CSR. */
export function issueCertificate(request: IssueRequest): Uint8Array {
  if (request.profile.name === 'rootCa') throw new RangeError('use createRootCertificate for a root');
  return assemble(request, prepare(request.issuer, request.profile, request.baseUrl, false));
}

/** A self-signed root CA certificate for `signer`. */
export function createRootCertificate(options: {
  signer: Signer;
  subject: SubjectName;
  caName: string;
  notBefore: Date;
  notAfter: Date;
  serial?: Uint8Array;
}): Uint8Array {
  const profile = profiles.rootCa;
  const issuer: IssuerRef = { signer: options.signer, name: options.subject, caName: options.caName };
  const request: IssueRequest = { ...options, profile, subjectSpki: options.signer.spki, issuer, baseUrl: '' };
  return assemble(request, prepare(issuer, profile, '', true));
}

export interface CaOptions {
  readonly family: KeyFamily;
  readonly baseUrl: string;
  readonly now: Date;
  /** O= of both CA names; CN adds the family and 根CA / 签发CA. */
  readonly organization?: string;
}

/** A CA's slug (used in URLs and as its key store label, e.g. `sm2-issuing`) and certificate. */
export interface CaIdentity {
  readonly caName: string;
  readonly certificate: Uint8Array;
}

/**
 * The root (self-signed) and issuing CA certificates of one family, for keys held anywhere: the
 * signers may come from generated keys (`caInit`) or from a key store (`initCaInStore`).
 */
export function createCaCertificates(
  options: CaOptions,
  signers: { root: Signer; issuing: Signer },
): { root: CaIdentity; issuing: CaIdentity } {
  const { family, baseUrl, now } = options;
  const organization = options.organization ?? 'CertDesk';
  const label = family === 'sm2' ? 'SM2' : 'ECC';
  const rootName = `${family}-root`;
  const root = createRootCertificate({
    signer: signers.root,
    subject: { country: 'CN', organization, commonName: `${organization} ${label} 根CA` },
    caName: rootName,
    notBefore: now,
    notAfter: validityEnd(profiles.rootCa, now),
  });
  const issuing = issueCertificate({
    profile: profiles.issuingCa,
    subject: { country: 'CN', organization, commonName: `${organization} ${label} 签发CA` },
    subjectSpki: signers.issuing.spki,
    issuer: { signer: signers.root, certificate: root, caName: rootName },
    notBefore: now,
    notAfter: validityEnd(profiles.issuingCa, now),
    baseUrl,
  });
  return { root: { caName: rootName, certificate: root }, issuing: { caName: `${family}-issuing`, certificate: issuing } };
}

export interface CaCertificate extends CaIdentity {
  readonly key: PrivateKey;
}

/** A fresh root and issuing CA with in-memory keys, for tests and benchmarks. */
export function caInit(options: CaOptions): { root: CaCertificate; issuing: CaCertificate } {
  const rootKey = generateKey(options.family);
  const issuingKey = generateKey(options.family);
  const { root, issuing } = createCaCertificates(options, { root: rootKey.signer, issuing: issuingKey.signer });
  return { root: { ...root, key: rootKey }, issuing: { ...issuing, key: issuingKey } };
}
