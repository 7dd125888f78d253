/**
 * The electronic seal file (GB/T 38540-2020 SESeal, version 4): made and signed by the seal
 * maker (制章者, the CA's seal-making certificate), and verified for the public verification page.
 * The ASN.1 is in ses-asn1.ts. Signing goes through a `Signer` and checking through pki's
 * `verifySignature`, so the code is the same for SM2 (production) and P-256.
 *
 * What had to be decided without the standard's text at hand (found in public implementations,
 * ofdrw's ofdrw-gm `ses.v4` and a C verifier for vendor seals, which agree with each other):
 * - signedValue is the maker's signature over the DER of `eSealInfo` alone (SM2 signatures are
 *   over SM3(Z_A ‖ M) with the default ID); the certificate and the algorithm are bound because the
 *   signature only verifies under that certificate's key and that algorithm.
 * - signedValue holds the DER `SEQUENCE { r, s }` (GB/T 35276), not raw r ‖ s.
 * - property.type: the standard leaves the numbering to the application; we write 1 (单位印章).
 * - header.vid (vendor id) is "CertDesk".
 * - certListType 1 (the full certificates) is what we write; 2 (digests) is read but not matched.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { signatureOids, type Signer } from '../pki/signer.ts';
import { tbsFields } from '../pki/certificate-info.ts';
import { children, equalBytes, oidToString, readExact, Tag } from '../pki/der.ts';
import { toArrayBuffer } from '../pki/issuer.ts';
import { spkiFamily, verifySignature } from '../pki/verify.ts';
import { CertDigestList, CertInfoList, ExtData, SesHeader, SesPictureInfo, SesPropertyInfo, SesSeal, SesSealInfo } from './ses-asn1.ts';

/** Checks a signature: `spki` the signer's SubjectPublicKeyInfo, `signature` DER SEQUENCE { r, s }. */
export type SignatureVerifier = (spki: Uint8Array, data: Uint8Array, signature: Uint8Array) => boolean;

export const sealVendorId = 'CertDesk';
/** 单位印章: the only kind CertDesk makes. */
export const organisationSealType = 1;

const pngSignature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);


export interface MakeSealInput {
  /** 印章标识: unique, ASCII (IA5String). */
  esID: string;
  /** 印章名称, usually the organisation name. */
  name: string;
  /** The signer certificates (DER) this seal may be used with (签章者证书). */
  boundCertificates: readonly Uint8Array[];
  picturePng: Uint8Array;
  widthMm: number;
  heightMm: number;
  validStart: Date;
  validEnd: Date;
  /** When the seal is made; the caller's clock. */
  createDate: Date;
  maker: { signer: Signer; certificate: Uint8Array };
  sealType?: number;
  extDatas?: readonly { extnID: string; critical?: boolean; value: Uint8Array }[];
}

/** GeneralizedTime in whole seconds: fractions are legal DER but other verifiers reject them. */
function second(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function spkiOf(certificate: Uint8Array): { spki: Uint8Array; cert: Certificate } {
  const cert = AsnConvert.parse(certificate, Certificate);
  return { cert, spki: Uint8Array.from(tbsFields(certificate).spki.raw) };
}

/** Makes and signs a seal; returns the SESeal DER. Throws (in Chinese) on input that cannot make a valid seal. */
export function makeSeal(input: MakeSealInput): Uint8Array {
  if (!/^[\x20-\x7e]{1,64}$/.test(input.esID)) throw new Error('印章标识只能包含 ASCII 字符（1–64 位）');
  if (input.name.trim() === '') throw new Error('印章名称不能为空');
  if (input.boundCertificates.length === 0) throw new Error('电子印章必须绑定至少一张签章者证书');
  if (!equalBytes(input.picturePng.subarray(0, 8), pngSignature)) throw new Error('印章图像必须是 PNG 格式');
  if (!(input.validStart < input.validEnd)) throw new Error('印章有效期起始时间必须早于终止时间');
  for (const mm of [input.widthMm, input.heightMm]) {
    if (!Number.isInteger(mm) || mm <= 0 || mm > 1000) throw new Error('印章图像尺寸必须是正整数（毫米）');
  }
  for (const cert of input.boundCertificates) AsnConvert.parse(cert, Certificate); // refuses non-certificates early
  if (!equalBytes(spkiOf(input.maker.certificate).spki, input.maker.signer.spki)) {
    throw new Error('制章者私钥与制章者证书不匹配');
  }
  const info = new SesSealInfo({
    header: new SesHeader({ id: 'ES', version: 4, vid: sealVendorId }),
    esID: input.esID,
    property: new SesPropertyInfo({
      type: input.sealType ?? organisationSealType,
      name: input.name,
      certListType: 1,
      certList: AsnConvert.serialize(new CertInfoList(input.boundCertificates.map(toArrayBuffer))),
      createDate: second(input.createDate),
      validStart: second(input.validStart),
      validEnd: second(input.validEnd),
    }),
    picture: new SesPictureInfo({ type: 'PNG', data: toArrayBuffer(input.picturePng), width: input.widthMm, height: input.heightMm }),
    extDatas: input.extDatas?.length
      ? input.extDatas.map((e) => new ExtData({ extnID: e.extnID, critical: e.critical ?? false, extnValue: toArrayBuffer(e.value) }))
      : undefined,
  });
  const infoDer = new Uint8Array(AsnConvert.serialize(info));
  const signature = input.maker.signer.sign(infoDer);
  return new Uint8Array(
    AsnConvert.serialize(
      new SesSeal({
        eSealInfo: toArrayBuffer(infoDer),
        cert: toArrayBuffer(input.maker.certificate),
        signAlgID: input.maker.signer.signatureOid,
        signedValue: toArrayBuffer(signature),
      }),
    ),
  );
}

export interface SealContents {
  esID: string;
  name: string;
  sealType: number;
  vendorId: string;
  validity: { createDate: Date; validStart: Date; validEnd: Date };
  picture: { type: string; data: Uint8Array; widthMm: number; heightMm: number };
  /** certListType 1: the bound signer certificates (DER). */
  boundCertificates: Uint8Array[];
  /** certListType 2: digests of the bound certificates, with the digest algorithm name. */
  boundCertificateDigests: { type: string; value: Uint8Array }[];
  makerCertificate: Uint8Array;
  signatureAlgorithm: string;
}

export interface SealVerification {
  ok: boolean;
  /** Why it is not valid, for users (empty when ok). */
  reasons: string[];
  /** What could be read, even when not ok; absent when the file is not a seal at all. */
  seal?: SealContents;
}

export interface VerifySealOptions {
  /** Signature check; default pki's `verifySignature` (SM2-with-SM3 or ECDSA P-256 by the key's curve). Must not throw. */
  verify?: SignatureVerifier;
  /** The seal-maker certificates (DER) we accept; when absent, trust is not checked. */
  trustedMakerCertificates?: readonly Uint8Array[];
  /** The caller's clock, for the validity checks. */
  now: Date;
}

interface RawSeal {
  /** eSealInfo exactly as in the file: the bytes the maker signed. */
  infoDer: Uint8Array;
  info: SesSealInfo;
  cert: Uint8Array;
  signAlgID: string;
  signedValue: Uint8Array;
}

/**
 * Reads the outer SESeal with the TLV reader rather than a schema round trip, so that the signed
 * eSealInfo bytes are taken as they are and seals from other makers are not rejected for encoding
 * details; what the signature does not cover is checked strictly (exact length, no unused bits).
 */
function readSeal(der: Uint8Array): RawSeal | undefined {
  try {
    const fields = children(readExact(der, Tag.SEQUENCE));
    const [info, cert, algorithm, signature] = fields;
    if (fields.length !== 4 || info?.tag !== Tag.SEQUENCE || cert?.tag !== Tag.OCTET_STRING) return undefined;
    if (algorithm?.tag !== Tag.OID || signature?.tag !== Tag.BIT_STRING || signature.content[0] !== 0) return undefined;
    return {
      infoDer: info.raw,
      info: AsnConvert.parse(info.raw, SesSealInfo),
      cert: cert.content,
      signAlgID: oidToString(algorithm.content),
      signedValue: signature.content.subarray(1),
    };
  } catch {
    return undefined;
  }
}

function readCertList(property: SesPropertyInfo): Pick<SealContents, 'boundCertificates' | 'boundCertificateDigests'> {
  if (property.certListType === 2) {
    const digests = AsnConvert.parse(property.certList, CertDigestList);
    return { boundCertificates: [], boundCertificateDigests: digests.map((d) => ({ type: d.type, value: new Uint8Array(d.value) })) };
  }
  const certs = AsnConvert.parse(property.certList, CertInfoList);
  return { boundCertificates: certs.map((c) => new Uint8Array(c)), boundCertificateDigests: [] };
}

/** Verifies a seal file: structure, the maker's signature, validity dates and trust in the maker. */
export function verifySeal(der: Uint8Array, options: VerifySealOptions): SealVerification {
  const parsed = readSeal(der);
  if (!parsed) return { ok: false, reasons: ['电子印章数据格式错误，无法解析'] };
  const { info, infoDer } = parsed;
  const reasons: string[] = [];
  let certs: Pick<SealContents, 'boundCertificates' | 'boundCertificateDigests'>;
  try {
    certs = readCertList(info.property);
  } catch {
    return { ok: false, reasons: ['签章者证书列表格式错误'] };
  }
  const seal: SealContents = {
    esID: info.esID,
    name: info.property.name,
    sealType: info.property.type,
    vendorId: info.header.vid,
    validity: {
      createDate: info.property.createDate,
      validStart: info.property.validStart,
      validEnd: info.property.validEnd,
    },
    picture: {
      type: info.picture.type,
      data: new Uint8Array(info.picture.data),
      widthMm: info.picture.width,
      heightMm: info.picture.height,
    },
    ...certs,
    makerCertificate: new Uint8Array(parsed.cert),
    signatureAlgorithm: parsed.signAlgID,
  };

  if (info.header.id !== 'ES') reasons.push('印章头标识不是“ES”');
  if (info.header.version !== 4) reasons.push(`不支持的印章版本（${info.header.version}），仅支持第 4 版`);
  if (info.property.certListType !== 1 && info.property.certListType !== 2) reasons.push('签章者证书信息类型无效');
  if (seal.boundCertificates.length + seal.boundCertificateDigests.length === 0) reasons.push('印章未绑定签章者证书');
  if (seal.picture.type.toUpperCase() !== 'PNG' || !equalBytes(seal.picture.data.subarray(0, 8), pngSignature)) {
    reasons.push('印章图像不是有效的 PNG 图像');
  }
  if (seal.picture.widthMm <= 0 || seal.picture.heightMm <= 0) reasons.push('印章图像尺寸无效');

  let maker: { spki: Uint8Array; cert: Certificate } | undefined;
  try {
    maker = spkiOf(seal.makerCertificate);
  } catch {
    reasons.push('制章者证书格式错误');
  }
  if (maker) {
    const family = spkiFamily(maker.spki);
    if (!family || signatureOids[family] !== parsed.signAlgID) {
      reasons.push('签名算法与制章者证书的密钥类型不一致');
    } else if (!(options.verify ?? verifySignature)(maker.spki, infoDer, parsed.signedValue)) {
      reasons.push('制章者签名验证失败，印章数据可能被篡改');
    }
    const { notBefore, notAfter } = maker.cert.tbsCertificate.validity;
    if (options.now < notBefore.getTime() || options.now > notAfter.getTime()) {
      reasons.push('制章者证书不在有效期内');
    }
    if (options.trustedMakerCertificates && !options.trustedMakerCertificates.some((t) => equalBytes(t, seal.makerCertificate))) {
      reasons.push('制章者证书不受信任（非本机构制作的印章）');
    }
  }

  if (seal.validity.validStart >= seal.validity.validEnd) reasons.push('印章有效期无效');
  else if (options.now < seal.validity.validStart) reasons.push('印章尚未生效');
  else if (options.now > seal.validity.validEnd) reasons.push('印章已过期');

  return { ok: reasons.length === 0, reasons, seal };
}


