/**
 * pdf-lib compresses every stream it writes (font subsets, content streams, CMaps) with pako,
 * zlib in JavaScript; for a two-page contract that was a third of the rendering time. pdf-lib
 * calls only `pako.deflate(data)`, with no options, so that one function of the pako instance
 * pdf-lib loads is pointed at Node's native zlib: the same format (RFC 1950), several times
 * faster. Calls with options, from anyone else, still go to pako. Importing this module applies
 * it; importing it again changes nothing.
 */
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';

type Deflate = (data: Uint8Array, options?: unknown) => Uint8Array;

const fromPdfLib = createRequire(createRequire(import.meta.url).resolve('pdf-lib'));
const pako = fromPdfLib('pako') as { deflate: Deflate & { native?: true } };

if (pako.deflate.native !== true) {
  const original = pako.deflate;
  const native: Deflate & { native?: true } = (data, options) =>
    options === undefined ? deflateSync(data) : original(data, options);
  native.native = true;
  pako.deflate = native;
}
