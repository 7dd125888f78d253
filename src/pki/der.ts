/**
 * The few DER encodings we write by hand: the outer envelope of a signed structure
 * (SEQUENCE { tbs, algorithm, BIT STRING signature }), where the bytes that were signed must be
 * embedded exactly as signed rather than re-serialised by a schema library.
 */

function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** A tag-length-value with the given tag byte around already-encoded contents. */
export function derTlv(tag: number, contents: Uint8Array): Uint8Array {
  const length = derLength(contents.length);
  const out = new Uint8Array(1 + length.length + contents.length);
  out[0] = tag;
  out.set(length, 1);
  out.set(contents, 1 + length.length);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** SEQUENCE of already-encoded elements. */
export function derSequence(...elements: Uint8Array[]): Uint8Array {
  return derTlv(0x30, concatBytes(...elements));
}

/** BIT STRING with no unused bits (signatures, keys). */
export function derBitString(bytes: Uint8Array): Uint8Array {
  return derTlv(0x03, concatBytes(Uint8Array.of(0), bytes));
}
