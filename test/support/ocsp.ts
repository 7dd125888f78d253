/**
 * An OCSP client as a relying party has one: a request (RFC 6960, SHA-1 CertID, no nonce) for a
 * serial under an issuing CA's certificate, posted to the server's /ocsp, and the status read from
 * the answer. The signature is not checked here: ca.test.ts has `openssl ocsp` do that.
 */
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { BasicOCSPResponse, CertID, OCSPRequest, OCSPResponse, Request, TBSRequest } from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { describeIssuer, sha1 } from '../../src/pki/issuer.ts';

export function ocspRequestFor(issuerDer: Uint8Array, serialHex: string): Uint8Array {
  const issuer = describeIssuer(issuerDer);
  const hex = serialHex.length % 2 ? `0${serialHex}` : serialHex;
  // A positive INTEGER: a leading zero byte when the top bit is set.
  const serial = Buffer.from(Number.parseInt(hex.slice(0, 2), 16) >= 0x80 ? `00${hex}` : hex, 'hex');
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: '1.3.14.3.2.26', parameters: null }),
    issuerNameHash: new OctetString(sha1(issuer.nameDer)),
    issuerKeyHash: new OctetString(sha1(issuer.publicKey)),
    serialNumber: new Uint8Array(serial).buffer,
  });
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) });
  return new Uint8Array(AsnConvert.serialize(request));
}

export type OcspAnswer = 'good' | 'revoked' | 'unknown' | `error ${number}`;

/** The status of the (first) certificate in a DER OCSPResponse, or the error status answered. */
export function ocspAnswer(responseDer: Uint8Array): OcspAnswer {
  const response = AsnConvert.parse(responseDer, OCSPResponse);
  if (response.responseStatus !== 0 || !response.responseBytes) return `error ${response.responseStatus}`;
  const basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
  const status = basic.tbsResponseData.responses[0]?.certStatus;
  if (status?.good !== undefined) return 'good';
  if (status?.revoked !== undefined) return 'revoked';
  return 'unknown';
}

/** Asks the server at `baseUrl` about `serialHex` under the issuing CA `issuerDer`. */
export async function askOcsp(baseUrl: string, issuerDer: Uint8Array, serialHex: string): Promise<OcspAnswer> {
  const res = await fetch(`${baseUrl}/ocsp`, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request' },
    body: Buffer.from(ocspRequestFor(issuerDer, serialHex)),
  });
  if (!res.ok) throw new Error(`POST /ocsp answered ${res.status}`);
  return ocspAnswer(new Uint8Array(await res.arrayBuffer()));
}
