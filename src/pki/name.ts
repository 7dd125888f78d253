/**
 * Distinguished names in DER: C and serialNumber as PrintableString (their ASN.1 definitions
 * require it), everything else as UTF8String so 单位名称 survives every reader (RFC 5280 §4.1.2.6).
 */
import { oid, printable, seq, set, utf8 } from './der.ts';
import type { SubjectName } from './profiles.ts';

export const attributeOids = {
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
} as const;

const printableOnly = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function attribute(type: string, value: Uint8Array): Uint8Array {
  return set(seq(oid(type), value));
}

export function encodeName(name: SubjectName): Uint8Array {
  const rdns: Uint8Array[] = [];
  const printableValue = (field: string, value: string): Uint8Array => {
    if (!printableOnly.test(value)) throw new RangeError(`${field} must be PrintableString`);
    return printable(value);
  };
  if (name.country !== undefined) rdns.push(attribute(attributeOids.country, printableValue('country', name.country)));
  if (name.organization !== undefined) rdns.push(attribute(attributeOids.organization, utf8(name.organization)));
  if (name.organizationalUnit !== undefined) rdns.push(attribute(attributeOids.organizationalUnit, utf8(name.organizationalUnit)));
  rdns.push(attribute(attributeOids.commonName, utf8(name.commonName)));
  if (name.serialNumber !== undefined) rdns.push(attribute(attributeOids.serialNumber, printableValue('serialNumber', name.serialNumber)));
  return seq(...rdns);
}
