/**
 * Images that many documents stamp, such as the CA's seal, prepared once per process. pdf-lib's
 * embedPng decodes the PNG and deflates its colour and alpha again in JavaScript for every
 * document (~50 ms for a 480 px seal); here sharp decodes it and zlib compresses it once, and
 * each document only registers the two ready streams.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import {
  BlendMode,
  type PDFPage,
  PDFRawStream,
  concatTransformationMatrix,
  drawObject,
  popGraphicsState,
  pushGraphicsState,
  setGraphicsState,
} from '@cantoo/pdf-lib';
import sharp from 'sharp';

export interface PreparedImage {
  width: number;
  height: number;
  /** DeviceRGB samples, deflated. */
  colour: Uint8Array;
  /** DeviceGray alpha, deflated; absent for an opaque image. */
  alpha?: Uint8Array;
}

/** By SHA-256 of the bytes; a handful at most (the CA's seals), the oldest forgotten first. */
const prepared = new Map<string, Promise<PreparedImage>>();
const KEEP = 8;

async function decode(png: Uint8Array): Promise<PreparedImage> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const pixels = info.width * info.height;
  const colour = Buffer.alloc(pixels * 3);
  const alpha = Buffer.alloc(pixels);
  let opaque = true;
  for (let i = 0; i < pixels; i++) {
    colour[i * 3] = data[i * 4]!;
    colour[i * 3 + 1] = data[i * 4 + 1]!;
    colour[i * 3 + 2] = data[i * 4 + 2]!;
    alpha[i] = data[i * 4 + 3]!;
    if (alpha[i] !== 255) opaque = false;
  }
  return {
    width: info.width,
    height: info.height,
    colour: deflateSync(colour),
    ...(opaque ? {} : { alpha: deflateSync(alpha) }),
  };
}

/** The image (PNG, JPEG, anything sharp reads) ready to stamp; the same bytes are decoded once. */
export function prepareImage(bytes: Uint8Array): Promise<PreparedImage> {
  const key = createHash('sha256').update(bytes).digest('hex');
  let image = prepared.get(key);
  if (image === undefined) {
    image = decode(bytes);
    prepared.set(key, image);
    if (prepared.size > KEEP) prepared.delete(prepared.keys().next().value!);
    // A failed decode is not kept: the next call tries again and reports its own error.
    image.catch(() => prepared.delete(key));
  }
  return image;
}

/**
 * Draws `image` on `page` in the rectangle [x, y, width, height]. `multiply` blends it as ink
 * on paper: what is printed beneath shows through the colour.
 */
export function stampImage(
  page: PDFPage,
  image: PreparedImage,
  box: { x: number; y: number; width: number; height: number },
  multiply = false,
): void {
  const context = page.doc.context;
  const common = { Type: 'XObject', Subtype: 'Image', Width: image.width, Height: image.height, BitsPerComponent: 8 };
  const mask =
    image.alpha === undefined
      ? undefined
      : context.register(
          PDFRawStream.of(context.obj({ ...common, ColorSpace: 'DeviceGray', Filter: 'FlateDecode' }), image.alpha),
        );
  const xObject = context.register(
    PDFRawStream.of(
      context.obj({
        ...common,
        ColorSpace: 'DeviceRGB',
        Filter: 'FlateDecode',
        ...(mask === undefined ? {} : { SMask: mask }),
      }),
      image.colour,
    ),
  );
  const name = page.node.newXObject('Image', xObject);
  const operators = [pushGraphicsState()];
  if (multiply) {
    const state = page.node.newExtGState('GS', context.obj({ Type: 'ExtGState', BM: BlendMode.Multiply }));
    operators.push(setGraphicsState(state));
  }
  operators.push(
    concatTransformationMatrix(box.width, 0, 0, box.height, box.x, box.y),
    drawObject(name),
    popGraphicsState(),
  );
  page.pushOperators(...operators);
}
