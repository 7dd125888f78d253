/**
 * The ASN.1 of the GB/T 38540-2020 electronic seal (SESeal, data format version 4), as
 * @peculiar/asn1-schema classes. Only the structure lives here; building, signing and checking
 * are in ses.ts.
 *
 * ```asn1
 * SESeal ::= SEQUENCE {
 *   eSealInfo    SES_SealInfo,          -- 印章信息
 *   cert         OCTET STRING,          -- 制章者证书 (DER X.509)
 *   signAlgID    OBJECT IDENTIFIER,     -- 签名算法标识 (SM2-with-SM3 1.2.156.10197.1.501)
 *   signedValue  BIT STRING }           -- 制章者的签名值
 * SES_SealInfo ::= SEQUENCE {
 *   header       SES_Header,
 *   esID         IA5String,             -- 印章标识
 *   property     SES_ESPropertyInfo,
 *   picture      SES_ESPictrueInfo,     -- (sic: the standard spells it "Pictrue")
 *   extDatas     ExtensionDatas OPTIONAL }
 * SES_Header ::= SEQUENCE { id IA5String ("ES"), version INTEGER (4), vid IA5String }
 * SES_ESPropertyInfo ::= SEQUENCE {
 *   type INTEGER, name UTF8String, certListType INTEGER, certList SES_CertList,
 *   createDate GeneralizedTime, validStart GeneralizedTime, validEnd GeneralizedTime }
 * SES_CertList ::= CHOICE { certs CertInfoList, certDigestList CertDigestList }
 * CertInfoList ::= SEQUENCE OF OCTET STRING                  -- certListType 1
 * CertDigestList ::= SEQUENCE OF CertDigestObj               -- certListType 2
 * CertDigestObj ::= SEQUENCE { type PrintableString, value OCTET STRING }
 * SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER }
 * ExtensionDatas ::= SEQUENCE OF ExtData
 * ExtData ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 * ```
 *
 * The CHOICE in SES_CertList has two untagged SEQUENCE OF alternatives, which a decoder cannot
 * tell apart by tag; the standard resolves it with certListType, so certList is kept as raw DER
 * here and decoded by that number.
 *
 * The project compiles without legacy decorators, so the schema decorators are applied as plain
 * function calls; the order of the calls is the order of the fields.
 */
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';

type PropOptions = Parameters<typeof AsnProp>[0];

function sequence(target: new () => object, fields: [string, PropOptions][]): void {
  AsnType({ type: AsnTypeTypes.Sequence })(target);
  for (const [name, options] of fields) AsnProp(options)(target.prototype as object, name);
}

export class SesHeader {
  id = 'ES';
  version = 4;
  vid = '';
  constructor(params: Partial<SesHeader> = {}) {
    Object.assign(this, params);
  }
}
sequence(SesHeader, [
  ['id', { type: AsnPropTypes.IA5String }],
  ['version', { type: AsnPropTypes.Integer }],
  ['vid', { type: AsnPropTypes.IA5String }],
]);

export class CertInfoList extends AsnArray<ArrayBuffer> {}
AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.OctetString })(CertInfoList);

export class CertDigestObj {
  type = '';
  value: ArrayBuffer = new ArrayBuffer(0);
  constructor(params: Partial<CertDigestObj> = {}) {
    Object.assign(this, params);
  }
}
sequence(CertDigestObj, [
  ['type', { type: AsnPropTypes.PrintableString }],
  ['value', { type: AsnPropTypes.OctetString }],
]);

export class CertDigestList extends AsnArray<CertDigestObj> {}
AsnType({ type: AsnTypeTypes.Sequence, itemType: CertDigestObj })(CertDigestList);

export class SesPropertyInfo {
  type = 1;
  name = '';
  certListType = 1;
  /** Raw DER of SES_CertList: a CertInfoList or a CertDigestList, per certListType. */
  certList: ArrayBuffer = new ArrayBuffer(0);
  createDate = new Date(0);
  validStart = new Date(0);
  validEnd = new Date(0);
  constructor(params: Partial<SesPropertyInfo> = {}) {
    Object.assign(this, params);
  }
}
sequence(SesPropertyInfo, [
  ['type', { type: AsnPropTypes.Integer }],
  ['name', { type: AsnPropTypes.Utf8String }],
  ['certListType', { type: AsnPropTypes.Integer }],
  ['certList', { type: AsnPropTypes.Any }],
  ['createDate', { type: AsnPropTypes.GeneralizedTime }],
  ['validStart', { type: AsnPropTypes.GeneralizedTime }],
  ['validEnd', { type: AsnPropTypes.GeneralizedTime }],
]);

export class SesPictureInfo {
  type = 'PNG';
  data: ArrayBuffer = new ArrayBuffer(0);
  /** Display width in millimetres. */
  width = 0;
  /** Display height in millimetres. */
  height = 0;
  constructor(params: Partial<SesPictureInfo> = {}) {
    Object.assign(this, params);
  }
}
sequence(SesPictureInfo, [
  ['type', { type: AsnPropTypes.IA5String }],
  ['data', { type: AsnPropTypes.OctetString }],
  ['width', { type: AsnPropTypes.Integer }],
  ['height', { type: AsnPropTypes.Integer }],
]);

export class ExtData {
  extnID = '';
  critical = false;
  extnValue: ArrayBuffer = new ArrayBuffer(0);
  constructor(params: Partial<ExtData> = {}) {
    Object.assign(this, params);
  }
}
sequence(ExtData, [
  ['extnID', { type: AsnPropTypes.ObjectIdentifier }],
  ['critical', { type: AsnPropTypes.Boolean, defaultValue: false }],
  ['extnValue', { type: AsnPropTypes.OctetString }],
]);

export class SesSealInfo {
  header = new SesHeader();
  esID = '';
  property = new SesPropertyInfo();
  picture = new SesPictureInfo();
  extDatas?: ExtData[];
  constructor(params: Partial<SesSealInfo> = {}) {
    Object.assign(this, params);
  }
}
sequence(SesSealInfo, [
  ['header', { type: SesHeader }],
  ['esID', { type: AsnPropTypes.IA5String }],
  ['property', { type: SesPropertyInfo }],
  ['picture', { type: SesPictureInfo }],
  ['extDatas', { type: ExtData, repeated: 'sequence', optional: true }],
]);

/**
 * SESeal with eSealInfo kept as raw DER: the signature covers those exact bytes, so the verifier
 * must not re-encode them before checking.
 */
export class SesSeal {
  eSealInfo: ArrayBuffer = new ArrayBuffer(0);
  cert: ArrayBuffer = new ArrayBuffer(0);
  signAlgID = '';
  signedValue: ArrayBuffer = new ArrayBuffer(0);
  constructor(params: Partial<SesSeal> = {}) {
    Object.assign(this, params);
  }
}
sequence(SesSeal, [
  ['eSealInfo', { type: AsnPropTypes.Any }],
  ['cert', { type: AsnPropTypes.OctetString }],
  ['signAlgID', { type: AsnPropTypes.ObjectIdentifier }],
  ['signedValue', { type: AsnPropTypes.BitString }],
]);
