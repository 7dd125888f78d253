/**
 * Reading OCSPRequests (RFC 6960 §4.1.1) straight off the DER with pki's TLV reader: the
 * responder's hot path, where a schema parser costs more than signing. Only what answering needs
 * is extracted; the CertIDs are kept as raw bytes to be echoed unchanged in the response.
 *
 * ```asn1
 * OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
 * TBSRequest  ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1,
 *                            requestorName [1] EXPLICIT GeneralName OPTIONAL,
 *                            requestList SEQUENCE OF Request,
 *                            requestExtensions [2] EXPLICIT Extensions OPTIONAL }
 * Request     ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
 * CertID      ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
 *                            issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
 * ```
 */
import { id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { children, DerError, oidToString, readExact, Tag, type Tlv } from './der.ts';
import { serialToHex, toHex } from './issuer.ts';


export interface CertIdRequest {
  /** The CertID TLV exactly as the client sent it. */
  raw: Uint8Array;
  hashOid: string;
  issuerNameHashHex: string;
  issuerKeyHashHex: string;
  /** Lower-case hex, no leading zeros (the app's serial key). */
  serialHex: string;
}

export interface ParsedOcspRequest {
  requests: CertIdRequest[];
  /** The nonce Extension TLV, to be echoed byte for byte; absent when the client sent none. */
  nonceExtension?: Uint8Array;
}

function expect(tlv: Tlv | undefined, tag: number): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError('unexpected OCSP request structure');
  return tlv;
}

function readCertId(tlv: Tlv | undefined): CertIdRequest {
  const [algorithm, nameHash, keyHash, serial] = children(expect(tlv, Tag.SEQUENCE));
  const [hashOid] = children(expect(algorithm, Tag.SEQUENCE));
  return {
    raw: expect(tlv, Tag.SEQUENCE).raw,
    hashOid: oidToString(expect(hashOid, Tag.OID).content),
    issuerNameHashHex: toHex(expect(nameHash, Tag.OCTET_STRING).content),
    issuerKeyHashHex: toHex(expect(keyHash, Tag.OCTET_STRING).content),
    serialHex: serialToHex(expect(serial, Tag.INTEGER).content),
  };
}

/** Parses a DER OCSPRequest; throws DerError when it is not one. */
export function readOcspRequest(der: Uint8Array): ParsedOcspRequest {
  const [tbs] = children(readExact(der, Tag.SEQUENCE));
  const fields = children(expect(tbs, Tag.SEQUENCE));
  let i = 0;
  if (fields[i]?.tag === 0xa0) i++; // version, only v1 exists
  if (fields[i]?.tag === 0xa1) i++; // requestorName: not used for authorisation here
  const list = expect(fields[i], Tag.SEQUENCE);
  const requests = children(list).map((request) => readCertId(children(expect(request, Tag.SEQUENCE))[0]));
  if (requests.length === 0) throw new DerError('empty OCSP request list');
  let nonceExtension: Uint8Array | undefined;
  const extensions = fields[i + 1];
  if (extensions?.tag === 0xa2) {
    const [sequence] = children(extensions);
    for (const extension of children(expect(sequence, Tag.SEQUENCE))) {
      const [id] = children(expect(extension, Tag.SEQUENCE));
      if (oidToString(expect(id, Tag.OID).content) === id_pkix_ocsp_nonce) nonceExtension = extension.raw;
    }
  }
  return { requests, nonceExtension };
}
