/**
 * X.509 v3 extensions in DER, from a profile. Split into what is fixed per (issuer, profile) and
 * what varies per certificate (SKI, USCC), so issuance only concatenates ready bytes.
 */
import { createHash } from 'node:crypto';
import { ascii, boolTrue, children, concat, ctx, derNull, octets, oid, printable, readExact, seq, Tag, uint } from './der.ts';
import { keyUsageBits, usccExtensionOid, type CertificateProfile, type RevocationUrls } from './profiles.ts';

const ext = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  crlDistributionPoints: '2.5.29.31',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;
const accessMethod = { ocsp: '1.3.6.1.5.5.7.48.1', caIssuers: '1.3.6.1.5.5.7.48.2' } as const;

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), boolTrue, octets(value)) : seq(oid(id), octets(value));
}

/** KeyUsage BIT STRING in DER: trailing zero bits dropped, unused-bit count set accordingly. */
function keyUsageValue(profile: CertificateProfile): Uint8Array {
  let mask = 0;
  for (const usage of profile.keyUsage) mask |= 0x8000 >> keyUsageBits[usage];
  const bytes = mask & 0xff ? [mask >> 8, mask & 0xff] : [mask >> 8];
  const last = bytes[bytes.length - 1]!;
  let unused = 0;
  while (unused < 7 && (last & (1 << unused)) === 0) unused++;
  return Uint8Array.of(Tag.BIT_STRING, bytes.length + 1, unused, ...bytes);
}

function basicConstraintsValue(profile: CertificateProfile): Uint8Array {
  const bc = profile.basicConstraints;
  if (!bc.ca) return seq();
  return bc.pathLength === undefined ? seq(boolTrue) : seq(boolTrue, uint(bc.pathLength));
}

/** The subjectPublicKey BIT STRING's value (without the unused-bits octet), a view into `spki`. */
export function subjectPublicKey(spki: Uint8Array): Uint8Array {
  const [, key] = children(readExact(spki, Tag.SEQUENCE));
  if (key?.tag !== Tag.BIT_STRING) throw new Error('bad SubjectPublicKeyInfo');
  return key.content.subarray(1);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  return createHash('sha1').update(subjectPublicKey(spki)).digest();
}

export function subjectKeyIdentifierExtension(spki: Uint8Array): Uint8Array {
  return extension(ext.subjectKeyIdentifier, false, octets(keyIdentifier(spki)));
}

export function usccExtension(uscc: string): Uint8Array {
  return extension(usccExtensionOid, false, printable(uscc));
}

/**
 * The extensions of `profile` that do not depend on the subject, in two runs around the SKI:
 * `head` = basicConstraints, keyUsage, extKeyUsage; `tail` = AKI, CRL DP, AIA, ocsp-nocheck.
 * `authorityKeyId` is absent only for a self-signed root (its AKI would equal its SKI).
 */
export function profileExtensions(
  profile: CertificateProfile,
  authorityKeyId: Uint8Array | undefined,
  urls: RevocationUrls | undefined,
): { head: Uint8Array; tail: Uint8Array } {
  const head = [
    extension(ext.basicConstraints, true, basicConstraintsValue(profile)),
    extension(ext.keyUsage, true, keyUsageValue(profile)),
  ];
  if (profile.extendedKeyUsage.length > 0) {
    head.push(extension(ext.extKeyUsage, false, seq(...profile.extendedKeyUsage.map((o) => oid(o)))));
  }
  const tail: Uint8Array[] = [];
  if (authorityKeyId) tail.push(extension(ext.authorityKeyIdentifier, false, seq(ctx(0, false, authorityKeyId))));
  if (profile.revocationPointers && urls) {
    // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames { [6] URI } } }
    const uri = (u: string): Uint8Array => ctx(6, false, ascii(u));
    tail.push(extension(ext.crlDistributionPoints, false, seq(seq(ctx(0, true, ctx(0, true, uri(urls.crl)))))));
    tail.push(
      extension(
        ext.authorityInfoAccess,
        false,
        seq(seq(oid(accessMethod.ocsp), uri(urls.ocsp)), seq(oid(accessMethod.caIssuers), uri(urls.caIssuers))),
      ),
    );
  }
  if (profile.ocspNoCheck) tail.push(extension(ext.ocspNoCheck, false, derNull));
  return { head: concat(head), tail: concat(tail) };
}
