/**
 * A small DER writer and TLV reader for the hot paths (signatures, keys, TBSCertificate assembly).
 * @peculiar/asn1-schema parses whole certificates and CSRs elsewhere; here we only need to glue
 * ready-made fragments together without building object graphs, which is what makes issuance cheap.
 */

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** One TLV whose content is the concatenation of `parts`. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const content = parts.length === 1 ? parts[0]! : concat(parts);
  const len = lengthBytes(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

export const seq = (...parts: Uint8Array[]): Uint8Array => tlv(Tag.SEQUENCE, ...parts);
export const set = (...parts: Uint8Array[]): Uint8Array => tlv(Tag.SET, ...parts);
export const octets = (bytes: Uint8Array): Uint8Array => tlv(Tag.OCTET_STRING, bytes);
/** BIT STRING with no unused bits (keys, signatures). */
export const bits = (bytes: Uint8Array): Uint8Array => tlv(Tag.BIT_STRING, Uint8Array.of(0), bytes);
const encoder = new TextEncoder();
export const utf8 = (text: string): Uint8Array => tlv(Tag.UTF8_STRING, encoder.encode(text));
export const printable = (text: string): Uint8Array => tlv(Tag.PRINTABLE_STRING, encoder.encode(text));
export const ascii = (text: string): Uint8Array => encoder.encode(text);
/** Context-specific tag: constructed (explicit / constructed implicit) or primitive implicit. */
export const ctx = (n: number, constructed: boolean, ...parts: Uint8Array[]): Uint8Array =>
  tlv((constructed ? 0xa0 : 0x80) | n, ...parts);
export const boolTrue = Uint8Array.of(Tag.BOOLEAN, 1, 0xff);
export const derNull = Uint8Array.of(Tag.NULL, 0);

/** INTEGER from unsigned big-endian magnitude bytes (adds the sign byte, strips leading zeros). */
export function uintBytes(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const trimmed = magnitude.subarray(i);
  return (trimmed[0]! & 0x80) !== 0 ? tlv(Tag.INTEGER, Uint8Array.of(0), trimmed) : tlv(Tag.INTEGER, trimmed);
}

export function uint(value: bigint | number): Uint8Array {
  return uintBytes(bigintToBytes(BigInt(value)));
}

export function bigintToBytes(value: bigint, length?: number): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (length !== undefined) hex = hex.padStart(length * 2, '0');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

const oidCache = new Map<string, Uint8Array>();

/** OBJECT IDENTIFIER from dotted text; cached because profiles reuse a handful of OIDs. */
export function oid(dotted: string): Uint8Array {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const [a0 = 0n, a1 = 0n, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [a0 * 40n + a1, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  const encoded = tlv(Tag.OID, Uint8Array.from(out));
  oidCache.set(dotted, encoded);
  return encoded;
}

export function oidToString(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}

/** A parsed TLV: `content` and `raw` are views into the input, not copies. */
export interface Tlv {
  tag: number;
  content: Uint8Array;
  raw: Uint8Array;
}

export class DerError extends Error {}

/** Reads the TLV at `offset`; throws DerError on truncation or indefinite/oversized lengths. */
export function readTlv(input: Uint8Array, offset = 0): Tlv {
  if (offset + 2 > input.length) throw new DerError('truncated DER');
  const tag = input[offset]!;
  let length = input[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (input[offset + 2 + i] ?? 0);
    header += count;
  }
  const end = offset + header + length;
  if (end > input.length) throw new DerError('truncated DER');
  return { tag, content: input.subarray(offset + header, end), raw: input.subarray(offset, end) };
}

/** The TLVs laid end to end in `input` from `from` to `to` (the whole of it by default). */
export function elements(input: Uint8Array, from = 0, to = input.length): Tlv[] {
  const span = input.subarray(0, to);
  const out: Tlv[] = [];
  for (let offset = from; offset < to; ) {
    const element = readTlv(span, offset);
    out.push(element);
    offset += element.raw.length;
  }
  return out;
}

/** The children of a constructed TLV. */
export function children(parent: Tlv): Tlv[] {
  return elements(parent.content);
}

/**
 * The first TLV of `input` without whatever follows it (such as the zeros padding a PDF
 * signature placeholder); `input` itself when it does not start with a whole TLV.
 */
export function firstElement(input: Uint8Array): Uint8Array {
  try {
    return readTlv(input).raw;
  } catch {
    return input;
  }
}

/** Parses `input` as exactly one TLV with the expected tag (no trailing bytes). */
export function readExact(input: Uint8Array, tag: number): Tlv {
  const t = readTlv(input);
  if (t.tag !== tag || t.raw.length !== input.length) throw new DerError('unexpected DER structure');
  return t;
}

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** DER from PEM (first block with the given label, or any label) or passes DER through. */
export function fromPem(input: string | Uint8Array, label?: string): Uint8Array {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!match) {
    if (typeof input !== 'string') return input;
    throw new DerError('no PEM block');
  }
  if (label !== undefined && match[1] !== label) throw new DerError(`expected PEM ${label}`);
  return Uint8Array.from(Buffer.from(match[2]!.replace(/\s+/g, ''), 'base64'));
}
