/**
 * Software certificates: a key generated on the server, its certificate (for SM2 also the encryption
 * key and certificate of the dual pair) and the CA chain in one PKCS#12 file (RFC 7292) protected by
 * a random one-time password that the applicant sees once.
 * Modern algorithms only — PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC for keys, HMAC-SHA256 for the
 * MAC — which is what OpenSSL 3 writes by default and reads without `-legacy`.
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { concat, ctx, derNull, octets, oid, seq, set, tlv, uint } from './der.ts';
import { issueCertificate, type IssueRequest } from './certificate.ts';
import { generateKey, type PrivateKey } from './keys.ts';
import { encryptPkcs8 } from './pbes2.ts';
import type { KeyFamily } from './signer.ts';

const oids = {
  data: '1.2.840.113549.1.7.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** Iterations for both the key encryption and the MAC key; the password itself carries ~90 bits. */
const ITERATIONS = 10_000;
/** No 0/O, 1/l/I: the password is read off a screen and typed by hand. */
const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export function oneTimePassword(length = 16): string {
  let out = '';
  for (let i = 0; i < length; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/** BMPString bytes with the two-byte terminator, as RFC 7292 Appendix B.1 feeds the password in. */
function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    const unit = password.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

/** RFC 7292 Appendix B.2 key derivation with SHA-256 (u = 32, v = 64), ID 3 = MAC key. */
function pkcs12Kdf(password: string, salt: Uint8Array, iterations: number, id: number, length: number): Uint8Array {
  const u = 32;
  const v = 64;
  const fill = (source: Uint8Array): Uint8Array => {
    if (source.length === 0) return new Uint8Array(0);
    const out = new Uint8Array(v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i++) out[i] = source[i % source.length]!;
    return out;
  };
  const diversifier = new Uint8Array(v).fill(id);
  const input = concat([fill(salt), fill(bmpPassword(password))]);
  const result: Uint8Array[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let a: Uint8Array = createHash('sha256').update(diversifier).update(input).digest();
    for (let r = 1; r < iterations; r++) a = createHash('sha256').update(a).digest();
    result.push(a);
    const b = new Uint8Array(v);
    for (let i = 0; i < v; i++) b[i] = a[i % u]!;
    for (let block = 0; block < input.length; block += v) {
      let carry = 1;
      for (let i = v - 1; i >= 0; i--) {
        const sum = input[block + i]! + b[i]! + carry;
        input[block + i] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return concat(result).subarray(0, length);
}

function bmpString(text: string): Uint8Array {
  return tlv(0x1e, bmpPassword(text).subarray(0, text.length * 2));
}

function bagAttributes(localKeyId: Uint8Array, friendlyName: string | undefined): Uint8Array {
  const attributes = [seq(oid(oids.localKeyId), set(octets(localKeyId)))];
  if (friendlyName !== undefined) attributes.push(seq(oid(oids.friendlyName), set(bmpString(friendlyName))));
  return set(...attributes);
}

function dataContentInfo(content: Uint8Array): Uint8Array {
  return seq(oid(oids.data), ctx(0, true, octets(content)));
}

/** One private key and its certificate; a dual pair brings two. */
export interface Pkcs12Entry {
  readonly key: PrivateKey;
  readonly certificate: Uint8Array;
  readonly friendlyName?: string;
}

export interface Pkcs12Input {
  readonly entries: readonly Pkcs12Entry[];
  /** Issuing CA first, root last. */
  readonly chain: readonly Uint8Array[];
  /** A fresh one-time password when absent. */
  readonly password?: string;
}

/**
 * Builds the PKCS#12 bundle (DER) and returns it with its password. Each key bag and its
 * certificate's bag share a localKeyId (SHA-1 of the certificate), which is how readers pair them.
 */
export function buildPkcs12(input: Pkcs12Input): { p12: Uint8Array; password: string } {
  const password = input.password ?? oneTimePassword();
  const entries = input.entries.map((e) => ({ ...e, attributes: bagAttributes(createHash('sha1').update(e.certificate).digest(), e.friendlyName) }));
  const certBag = (der: Uint8Array, attributes?: Uint8Array): Uint8Array =>
    seq(oid(oids.certBag), ctx(0, true, seq(oid(oids.x509Certificate), ctx(0, true, octets(der)))), ...(attributes ? [attributes] : []));
  const certificates = seq(...entries.map((e) => certBag(e.certificate, e.attributes)), ...input.chain.map((der) => certBag(der)));
  const keyBags = seq(
    ...entries.map((e) => seq(oid(oids.shroudedKeyBag), ctx(0, true, encryptPkcs8(e.key.pkcs8, password, ITERATIONS)), e.attributes)),
  );
  // Certificates are public: a plain data ContentInfo; the key bags are shrouded by PBES2.
  const authenticatedSafe = seq(dataContentInfo(certificates), dataContentInfo(keyBags));
  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf(password, macSalt, ITERATIONS, 3, 32);
  const mac = createHmac('sha256', macKey).update(authenticatedSafe).digest();
  const macData = seq(seq(seq(oid(oids.sha256), derNull), octets(mac)), octets(macSalt), uint(ITERATIONS));
  return { p12: seq(uint(3), dataContentInfo(authenticatedSafe), macData), password };
}

/**
 * Server-side key generation: a new key of `family`, a certificate for it from `request` (the
 * application's subject, profile and validity) and the bundle, with `companions` (the encryption
 * key and certificate of an SM2 dual pair) in the same file. The private keys leave only inside
 * the PKCS#12; the caller stores the certificates and shows the password once.
 */
export function issueSoftwareCertificate(
  family: KeyFamily,
  request: Omit<IssueRequest, 'subjectSpki'>,
  chain: readonly Uint8Array[],
  options: { friendlyName?: string; companions?: readonly Pkcs12Entry[] } = {},
): { certificate: Uint8Array; p12: Uint8Array; password: string } {
  const key = generateKey(family);
  const certificate = issueCertificate({ ...request, subjectSpki: key.signer.spki });
  const friendlyName = options.friendlyName ?? request.subject.commonName;
  return { certificate, ...buildPkcs12({ entries: [{ key, certificate, friendlyName }, ...(options.companions ?? [])], chain }) };
}
