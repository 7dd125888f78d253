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
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  KeyHash,
  OCSPRequest,
  OCSPResponseStatus,
  ResponderID,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
} from '@peculiar/asn1-ocsp';
import { CRLReason, Extension, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import type { Signer } from './signer.ts';
import { revocationReasons, type RevocationReason } from './crl.ts';
import { bits, oid, seq, tlv } from './der.ts';
import { describeIssuer, serialToHex, sha1, sha256, signatureAlgorithm, toHex } from './issuer.ts';
import type { OcspResponseCache } from './ocsp-cache.ts';

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
}

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
  responderId: ResponderID;
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
    responderId: new ResponderID({ byKey: new KeyHash(sha1(signerKey)) }),
    // certs [0] EXPLICIT SEQUENCE OF Certificate, only when a delegated certificate must be shown.
    certsField: authority.responderCertificate
      ? tlv(0xa0, seq(authority.responderCertificate))
      : new Uint8Array(0),
  };
}

/** Whole seconds: DER GeneralizedTime with fractions is legal but some clients reject it. */
function second(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function certStatusOf(status: CertificateStatus): CertStatus {
  if (status === 'good') return new CertStatus({ good: null });
  if (status === 'unknown') return new CertStatus({ unknown: null });
  return new CertStatus({
    revoked: new RevokedInfo({
      revocationTime: second(status.revokedAt),
      revocationReason: status.reason === undefined ? undefined : new CRLReason(revocationReasons[status.reason]),
    }),
  });
}

export function createOcspResponder(options: OcspResponderOptions): OcspResponder {
  const validityMs = options.validityMs ?? 60 * 60 * 1000;
  const now = options.now ?? (() => new Date());
  const authorities = options.authorities.map(prepare);
  const byCertId = new Map<string, PreparedAuthority>();
  for (const a of authorities) for (const key of a.certIdKeys) byCertId.set(key, a);

  const sign = (authority: PreparedAuthority, data: ResponseData): Uint8Array => {
    const tbs = new Uint8Array(AsnConvert.serialize(data));
    const algorithm = new Uint8Array(AsnConvert.serialize(signatureAlgorithm(authority.signer.signatureOid)));
    const basic = seq(tbs, algorithm, bits(authority.signer.sign(tbs)), authority.certsField);
    // OCSPResponse { successful, [0] EXPLICIT ResponseBytes { id-pkix-ocsp-basic, OCTET STRING } }
    const responseBytes = seq(ocspBasicOid, tlv(0x04, basic));
    return seq(tlv(0x0a, Uint8Array.of(OCSPResponseStatus.successful)), tlv(0xa0, responseBytes));
  };

  // Identical nonce-less requests (the common case: browsers, RFC 5019 clients, repeated polls)
  // are recognised by their bytes and answered from the cache without parsing. The index only
  // points into the cache, so revocation (cache invalidation) still takes effect at once.
  const byRequestBytes = new Map<string, { issuer: string; serial: string; variant: string }>();
  const maxIndexed = 200_000;

  const answer = async (requestDer: Uint8Array): Promise<Uint8Array> => {
    const requestKey = options.cache ? Buffer.from(requestDer).toString('latin1') : '';
    const known = options.cache ? byRequestBytes.get(requestKey) : undefined;
    if (known) {
      const cached = options.cache?.get(known.issuer, known.serial, known.variant, now());
      if (cached) return cached;
    }
    let request: OCSPRequest;
    try {
      request = AsnConvert.parse(requestDer, OCSPRequest);
    } catch {
      return ocspErrors.malformedRequest;
    }
    const items = request.tbsRequest.requestList;
    if (items.length === 0) return ocspErrors.malformedRequest;
    const targets: { certId: CertID; serialHex: string }[] = [];
    let authority: PreparedAuthority | undefined;
    for (const item of items) {
      const id = item.reqCert;
      const key = `${id.hashAlgorithm.algorithm}:${toHex(id.issuerNameHash.buffer)}:${toHex(id.issuerKeyHash.buffer)}`;
      const found = byCertId.get(key);
      // One response has one signer: every certificate asked about must be from the same CA we serve.
      if (!found || (authority && found !== authority)) return ocspErrors.unauthorized;
      authority = found;
      targets.push({ certId: id, serialHex: serialToHex(id.serialNumber) });
    }
    if (!authority) return ocspErrors.unauthorized;
    const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
    const single = targets.length === 1 && !nonce ? targets[0] : undefined;
    const at = second(now());
    const variant = single ? single.certId.hashAlgorithm.algorithm : '';
    if (single) {
      const cached = options.cache?.get(authority.keyHashSha1Hex, single.serialHex, variant, at);
      if (cached) return cached;
    }
    const nextUpdate = new Date(at.getTime() + validityMs);
    const responses: SingleResponse[] = [];
    for (const t of targets) {
      const status = await options.lookup(authority.keyHashSha1Hex, t.serialHex);
      responses.push(
        new SingleResponse({ certID: t.certId, certStatus: certStatusOf(status), thisUpdate: at, nextUpdate }),
      );
    }
    const data = new ResponseData({
      responderID: authority.responderId,
      producedAt: at,
      responses,
      // The nonce extension is echoed byte for byte (RFC 8954 leaves its inner encoding to the client).
      responseExtensions: nonce
        ? [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: nonce.extnValue })]
        : undefined,
    });
    const response = sign(authority, data);
    if (single && options.cache) {
      options.cache.set(authority.keyHashSha1Hex, single.serialHex, variant, response, nextUpdate);
      if (byRequestBytes.size >= maxIndexed) byRequestBytes.clear();
      byRequestBytes.set(requestKey, { issuer: authority.keyHashSha1Hex, serial: single.serialHex, variant });
    }
    return response;
  };

  return {
    async respond(requestDer) {
      try {
        return await answer(requestDer);
      } catch {
        // A failing status lookup or signer must still give the client an OCSP answer.
        return ocspErrors.internalError;
      }
    },
    async respondToGet(pathSegment) {
      const der = decodeGetRequest(pathSegment);
      return der ? this.respond(der) : ocspErrors.malformedRequest;
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

/** Parses an OCSP request for tests and diagnostics: the serials asked about and whether a nonce came. */
export function describeOcspRequest(requestDer: Uint8Array): { serials: string[]; hashOids: string[]; nonce: boolean } {
  const request = AsnConvert.parse(requestDer, OCSPRequest);
  return {
    serials: request.tbsRequest.requestList.map((r) => serialToHex(r.reqCert.serialNumber)),
    hashOids: request.tbsRequest.requestList.map((r) => r.reqCert.hashAlgorithm.algorithm),
    nonce: Boolean(request.tbsRequest.requestExtensions?.some((e) => e.extnID === id_pkix_ocsp_nonce)),
  };
}
