/**
 * The little DER that PDF signing needs below asn1-schema: walking the elements of an encoding
 * without decoding them (to take signed attributes and certificates exactly as they were
 * written) and framing bytes that must go in verbatim.
 */

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the contents. */
  body: number;
  /** Offset just past the contents. */
  end: number;
}

/** The DER elements laid end to end in `der` from `from` to `to` (the whole of it by default). */
export function elements(der: Uint8Array, from = 0, to = der.length): Tlv[] {
  const out: Tlv[] = [];
  let at = from;
  while (at + 2 <= to) {
    const tag = der[at]!;
    let length = der[at + 1]!;
    let body = at + 2;
    if (length >= 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (der[body + i] ?? 0);
      body += count;
    }
    out.push({ tag, start: at, body, end: body + length });
    at = body + length;
  }
  return out;
}

/** The children of `parent`, an element of `der`. */
export function children(der: Uint8Array, parent: Tlv | undefined): Tlv[] {
  return parent === undefined ? [] : elements(der, parent.body, parent.end);
}

/** The first element of `der`, without whatever follows it (such as placeholder padding). */
export function firstElement(der: Uint8Array): Uint8Array {
  const first = elements(der)[0];
  return first === undefined ? der : der.subarray(first.start, Math.min(first.end, der.length));
}

/** `tag`, the DER length of `parts` together, then the parts. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, p) => sum + p.length, 0);
  const lengthBytes: number[] = [];
  if (length < 0x80) {
    lengthBytes.push(length);
  } else {
    for (let n = length; n > 0; n = Math.floor(n / 256)) lengthBytes.unshift(n & 0xff);
    lengthBytes.unshift(0x80 | lengthBytes.length);
  }
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  let at = 1 + lengthBytes.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
