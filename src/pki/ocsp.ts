/**
 * The OCSP responder core (RFC 6960; RFC 5019 for the GET form and response caching): parses
 * OCSPRequests, asks the app for each certificate's status through a callback, and returns the
 * DER OCSPResponse to send with content type `application/ocsp-response`. No HTTP here: the app's
 * route hands the body (POST) or the path segment (GET) to `respond` / `respondToGet`.
 *
 * Responses are signed by the CA key itself or by a delegated OCSP-signing certificate, which is
 * then included in `certs`. Nonce-less single requests are served from the response cache.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { OCSPResponseStatus, id_pkix_ocsp_basic } from '@peculiar/asn1-ocsp';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import type { Signer } from './signer.ts';
import { revocationReasons, type RevocationReason } from './crl.ts';
import { bits, ctx, octets, oid, seq, tlv, Tag } from './der.ts';
import { describeIssuer, sha1, sha256, toHex } from './issuer.ts';
import type { OcspResponseCache } from './ocsp-cache.ts';
import { readOcspRequest, type CertIdRequest, type ParsedOcspRequest } from './ocsp-request.ts';

export type CertificateStatus = 'good' | 'unknown' | { revokedAt: Date; reason?: RevocationReason };

/**
 * Looks a certificate up. `issuerKeyHashHex` is always the SHA-1 of the issuing CA's public key
 * (whatever hash the client used in its CertID), `serialHex` lower case without leading zeros.
 */
export type StatusLookup = (
  issuerKeyHashHex: string,
  serialHex: string,
) => CertificateStatus | Promise<CertificateStatus>;

export interface OcspAuthority {
  /** The CA certificate (DER) whose certificates this responder answers for. */
  certificate: Uint8Array;
  /** Signs the responses: the CA key, or the key of `responderCertificate`. */
  signer: Signer;
  /** A delegated responder certificate (EKU id-kp-OCSPSigning, issued by this CA), sent in `certs`. */
  responderCertificate?: Uint8Array;
}

export interface OcspResponderOptions {
  authorities: readonly OcspAuthority[];
  lookup: StatusLookup;
  /** nextUpdate − thisUpdate; also how long a response is cached. Default one hour. */
  validityMs?: number;
  cache?: OcspResponseCache;
  /** The clock, injected so that tests and replays are deterministic. */
  now?: () => Date;
  /** Told of each answer: every certificate status in it, or the error status answered (metrics). */
  onAnswer?(status: OcspAnswerStatus): void;
}

export type OcspAnswerStatus = 'good' | 'revoked' | 'unknown' | 'malformedRequest' | 'unauthorized' | 'internalError';

export interface OcspResponder {
  /** Answers a DER OCSPRequest (POST body) with a DER OCSPResponse; never throws. */
  respond(requestDer: Uint8Array): Promise<Uint8Array>;
  /** Answers the GET form: the path segment after `/ocsp/` (URL-encoded base64 of the DER). */
  respondToGet(pathSegment: string): Promise<Uint8Array>;
  /** Drops cached responses for a certificate: call after revoking it. */
  invalidate(issuerKeyHashHex: string, serialHex: string): void;
}

const hashOids = { sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1' } as const;

/** OCSPResponse { responseStatus } with no responseBytes, for each error status (RFC 6960 §4.2.1). */
function errorResponse(status: OCSPResponseStatus): Uint8Array {
  return seq(tlv(0x0a, Uint8Array.of(status)));
}
export const ocspErrors = {
  malformedRequest: errorResponse(OCSPResponseStatus.malformedRequest),
  internalError: errorResponse(OCSPResponseStatus.internalError),
  unauthorized: errorResponse(OCSPResponseStatus.unauthorized),
} as const;

const ocspBasicOid = oid(id_pkix_ocsp_basic);

interface PreparedAuthority {
  signer: Signer;
  keyHashSha1Hex: string;
  /** `${hash oid}:${issuerNameHash hex}:${issuerKeyHash hex}` for each supported hash. */
  certIdKeys: string[];
  /** responderID byKey, encoded: [2] EXPLICIT KeyHash. */
  responderId: Uint8Array;
  /** signatureAlgorithm, encoded. */
  algorithm: Uint8Array;
  certsField: Uint8Array;
}

function prepare(authority: OcspAuthority): PreparedAuthority {
  const issuer = describeIssuer(authority.certificate);
  const keyHashSha1 = sha1(issuer.publicKey);
  const signerKey = new Uint8Array(AsnConvert.parse(authority.signer.spki, SubjectPublicKeyInfo).subjectPublicKey);
  return {
    signer: authority.signer,
    keyHashSha1Hex: toHex(keyHashSha1),
    certIdKeys: [
      `${hashOids.sha1}:${toHex(sha1(issuer.nameDer))}:${toHex(keyHashSha1)}`,
      `${hashOids.sha256}:${toHex(sha256(issuer.nameDer))}:${toHex(sha256(issuer.publicKey))}`,
    ],
    // byKey: the SHA-1 of whichever key signs (RFC 6960 §4.2.2.3), so delegation needs no Name.
    responderId: ctx(2, true, octets(sha1(signerKey))),
    algorithm: seq(oid(authority.signer.signatureOid)),
    // certs [0] EXPLICIT SEQUENCE OF Certificate, only when a delegated certificate must be shown.
    certsField: authority.responderCertificate
      ? ctx(0, true, seq(authority.responderCertificate))
      : new Uint8Array(0),
  };
}

/** Whole seconds: DER GeneralizedTime with fractions is legal but some clients reject it. */
function second(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** GeneralizedTime YYYYMMDDHHMMSSZ. */
function generalizedTime(date: Date): Uint8Array {
  const text = date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:T]/g, '');
  return tlv(Tag.GENERALIZED_TIME, new TextEncoder().encode(text));
}

const goodStatus = Uint8Array.of(0x80, 0x00); // [0] IMPLICIT NULL
const unknownStatus = Uint8Array.of(0x82, 0x00); // [2] IMPLICIT NULL

/** CertStatus: good, unknown, or revoked [1] IMPLICIT RevokedInfo { time, [0] EXPLICIT CRLReason }. */
function encodeStatus(status: CertificateStatus): Uint8Array {
  if (status === 'good') return goodStatus;
  if (status === 'unknown') return unknownStatus;
  const reason =
    status.reason === undefined
      ? new Uint8Array(0)
      : ctx(0, true, tlv(0x0a, Uint8Array.of(revocationReasons[status.reason])));
  return ctx(1, true, generalizedTime(second(status.revokedAt)), reason);
}

export function createOcspResponder(options: OcspResponderOptions): OcspResponder {
  const validityMs = options.validityMs ?? 60 * 60 * 1000;
  const now = options.now ?? (() => new Date());
  const authorities = options.authorities.map(prepare);
  const byCertId = new Map<string, PreparedAuthority>();
  for (const a of authorities) for (const key of a.certIdKeys) byCertId.set(key, a);

  /** The signed OCSPResponse around an encoded ResponseData. */
  const sign = (authority: PreparedAuthority, tbs: Uint8Array): Uint8Array => {
    const basic = seq(tbs, authority.algorithm, bits(authority.signer.sign(tbs)), authority.certsField);
    // OCSPResponse { successful, [0] EXPLICIT ResponseBytes { id-pkix-ocsp-basic, OCTET STRING } }
    const responseBytes = seq(ocspBasicOid, octets(basic));
    return seq(tlv(0x0a, Uint8Array.of(OCSPResponseStatus.successful)), ctx(0, true, responseBytes));
  };

  // Identical nonce-less requests (the common case: browsers, RFC 5019 clients, repeated polls)
  // are recognised by their bytes and answered from the cache without parsing. The index only
  // points into the cache, so revocation (cache invalidation) still takes effect at once.
  const byRequestBytes = new Map<string, { issuer: string; serial: string; variant: string }>();
  const maxIndexed = 200_000;

  const told = options.onAnswer ?? (() => {});
  // What each cached single answer says (the cache keeps the bytes; this, their status).
  const statusOfCached = new WeakMap<Uint8Array, OcspAnswerStatus>();
  const fromCache = (response: Uint8Array): Uint8Array => {
    told(statusOfCached.get(response) ?? 'good');
    return response;
  };

  const answer = async (requestDer: Uint8Array): Promise<Uint8Array> => {
    const requestKey = options.cache ? Buffer.from(requestDer).toString('latin1') : '';
    const known = options.cache ? byRequestBytes.get(requestKey) : undefined;
    if (known) {
      const cached = options.cache?.get(known.issuer, known.serial, known.variant, now());
      if (cached) return fromCache(cached);
    }
    let request: ParsedOcspRequest;
    try {
      request = readOcspRequest(requestDer);
    } catch {
      told('malformedRequest');
      return ocspErrors.malformedRequest;
    }
    let authority: PreparedAuthority | undefined;
    for (const item of request.requests) {
      const found = byCertId.get(`${item.hashOid}:${item.issuerNameHashHex}:${item.issuerKeyHashHex}`);
      // One response has one signer: every certificate asked about must be from the same CA we serve.
      if (!found || (authority && found !== authority)) {
        told('unauthorized');
        return ocspErrors.unauthorized;
      }
      authority = found;
    }
    if (!authority) {
      told('unauthorized');
      return ocspErrors.unauthorized;
    }
    const single: CertIdRequest | undefined =
      request.requests.length === 1 && !request.nonceExtension ? request.requests[0] : undefined;
    const at = second(now());
    if (single) {
      const cached = options.cache?.get(authority.keyHashSha1Hex, single.serialHex, single.hashOid, at);
      if (cached) return fromCache(cached);
    }
    const nextUpdate = new Date(at.getTime() + validityMs);
    const thisAndNext = [generalizedTime(at), ctx(0, true, generalizedTime(nextUpdate))];
    const responses: Uint8Array[] = [];
    let cacheable = single !== undefined;
    const statuses: OcspAnswerStatus[] = [];
    for (const item of request.requests) {
      const status = await options.lookup(authority.keyHashSha1Hex, item.serialHex);
      statuses.push(typeof status === 'string' ? status : 'revoked');
      // "unknown" is not cached: random serials from anyone would otherwise evict real entries,
      // and a certificate issued a moment later must not stay unknown until nextUpdate.
      if (status === 'unknown') cacheable = false;
      // The CertID goes back exactly as the client sent it, so that the client can match it.
      responses.push(seq(item.raw, encodeStatus(status), ...thisAndNext));
    }
    const tbs = seq(
      authority.responderId,
      generalizedTime(at),
      seq(...responses),
      // The nonce extension is echoed byte for byte (RFC 8954 leaves its inner encoding to the client).
      request.nonceExtension ? ctx(1, true, seq(request.nonceExtension)) : new Uint8Array(0),
    );
    const response = sign(authority, tbs);
    for (const status of statuses) told(status);
    if (single && cacheable && options.cache) {
      statusOfCached.set(response, statuses[0]!);
      options.cache.set(authority.keyHashSha1Hex, single.serialHex, single.hashOid, response, nextUpdate);
      if (byRequestBytes.size >= maxIndexed) byRequestBytes.clear();
      byRequestBytes.set(requestKey, { issuer: authority.keyHashSha1Hex, serial: single.serialHex, variant: single.hashOid });
    }
    return response;
  };

  return {
    async respond(requestDer) {
      try {
        return await answer(requestDer);
      } catch {
        // A failing status lookup or signer must still give the client an OCSP answer.
        told('internalError');
        return ocspErrors.internalError;
      }
    },
    async respondToGet(pathSegment) {
      const der = decodeGetRequest(pathSegment);
      if (der) return this.respond(der);
      told('malformedRequest');
      return ocspErrors.malformedRequest;
    },
    invalidate(issuerKeyHashHex, serialHex) {
      options.cache?.invalidate(issuerKeyHashHex, serialHex);
    },
  };
}

/**
 * The GET form (RFC 6960 appendix A.1): `url-encoding of base-64 encoding of the DER`. Clients
 * differ in whether they percent-encode `+ / =`, and some proxies collapse `//`; both are accepted.
 */
export function decodeGetRequest(pathSegment: string): Uint8Array | undefined {
  let text: string;
  try {
    text = decodeURIComponent(pathSegment.replace(/^\/+/, ''));
  } catch {
    return undefined;
  }
  const base64 = text.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (base64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/** The serials an OCSP request asks about and whether it carries a nonce, for logs and tests. */
export function describeOcspRequest(requestDer: Uint8Array): { serials: string[]; hashOids: string[]; nonce: boolean } {
  const request = readOcspRequest(requestDer);
  return {
    serials: request.requests.map((r) => r.serialHex),
    hashOids: request.requests.map((r) => r.hashOid),
    nonce: request.nonceExtension !== undefined,
  };
}
