/**
 * What the engine accepts, turned into what the addon takes (encoded bytes or decoded pixels):
 * Buffers and Uint8Arrays pass through untouched (the addon reads them in place), an
 * ArrayBuffer is viewed without a copy, strings are a base64 data URL or bare base64 (the seed
 * contract), `{ path }` is a file and a Node `Readable` an encoded image, both read only up to
 * the engine's `maxEncodedBytes`.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

import { EmptyInputError, ImageTooLargeError, InvalidBase64Error, InvalidImageError } from './errors.js';

/** Encoded image bytes, or base64 text (a data URL or bare). */
export type ImageInput = Buffer | Uint8Array | ArrayBuffer | string;

/** An encoded image in a file. */
export interface ImageFile {
  path: string;
}

/** Everything an engine call accepts. */
export type ImageSource = ImageInput | RawImage | ImageFile | Readable;

/** What crosses into the addon: encoded bytes, or decoded pixels as views. */
export type NativeImage = Uint8Array | { data: Uint8Array; width: number; height: number };

/** The source as the addon takes it, files and streams read under `maxEncodedBytes`. */
export async function resolveImage(source: ImageSource, maxEncodedBytes: number): Promise<NativeImage> {
  if (isReadable(source)) return await readLimited(source, maxEncodedBytes);
  if (isImageFile(source)) return await readFileLimited(source.path, maxEncodedBytes);
  if (isRawImage(source)) return toRawPixels(source);
  return toBytes(source);
}

function isReadable(source: unknown): source is Readable {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as Readable).pipe === 'function' &&
    Symbol.asyncIterator in source
  );
}

function isImageFile(source: unknown): source is ImageFile {
  return typeof source === 'object' && source !== null && !(source instanceof Uint8Array) && 'path' in source;
}

function tooLarge(limit: number): ImageTooLargeError {
  return new ImageTooLargeError(`image too large: more than the limit of ${limit} encoded bytes`);
}

/** Reads a stream, giving up (and destroying it) as soon as it passes `limit` bytes. */
async function readLimited(stream: Readable, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    total += bytes.length;
    if (total > limit) {
      stream.destroy();
      throw tooLarge(limit);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

/** Reads a file whose size is checked first; one read past the limit catches a growing file. */
async function readFileLimited(path: string, limit: number): Promise<Uint8Array> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('{ path } must be a non-empty string');
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size > limit) throw tooLarge(limit);
    return await readLimited(file.createReadStream({ autoClose: false }), limit);
  } finally {
    await file.close();
  }
}

/**
 * Pixels already decoded, so a video frame or a canvas is not encoded only to be decoded again:
 * `width` × `height`, row-major from the top left, no row padding, 1 (grey), 3 (RGB) or 4 (RGBA,
 * alpha ignored) bytes per pixel, told apart by the length. A canvas's `ImageData` is one as it
 * is; sharp's `.raw().toBuffer({ resolveWithObject: true })` is `{ data, ...info }`.
 */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

export function isRawImage(input: unknown): input is RawImage {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof Uint8Array) &&
    !isReadable(input) &&
    'data' in input
  );
}

/** The raw image's bytes as a view (no copy) and its checked dimensions. */
export function toRawPixels(image: RawImage): { data: Uint8Array; width: number; height: number } {
  const { data, width, height } = image;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new TypeError(`a raw image's data must be a Uint8Array or Uint8ClampedArray, got ${describe(data)}`);
  }
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 0xffff_ffff) {
      throw new InvalidImageError(`invalid raw image: ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}

// Standard or URL-safe alphabet, at most two '=' of padding at the very end.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const WHITESPACE = /\s+/g;

export function toBytes(input: ImageInput): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (typeof input === 'string') return decodeBase64Image(input);
  throw new TypeError(
    `expected a Buffer, Uint8Array, ArrayBuffer, base64 string, { path }, Readable or { data, width, height }, got ${describe(input)}`,
  );
}

/** Decodes "data:image/png;base64,…" or bare base64; `Buffer.from` alone would skip junk. */
export function decodeBase64Image(text: string): Uint8Array {
  let payload = text;
  if (text.startsWith('data:')) {
    const comma = text.indexOf(',');
    if (comma < 0) throw new InvalidBase64Error('invalid data URL: no comma before the data');
    const header = text.slice(5, comma);
    if (!header.split(';').includes('base64')) throw new InvalidBase64Error('invalid data URL: not base64-encoded');
    payload = text.slice(comma + 1);
  }
  const fast = decodeIfClean(payload);
  if (fast) return fast;
  // Slow path: whitespace to drop (MIME line breaks), or junk to name in the error.
  payload = payload.replace(WHITESPACE, '');
  if (payload.length === 0) throw new EmptyInputError('the image data is empty');
  // A length of 4n+1 cannot come from any byte string.
  if (!BASE64.test(payload) || payload.length % 4 === 1) throw new InvalidBase64Error('invalid base64 data');
  const padded = payload.includes('=');
  if (padded && payload.length % 4 !== 0) throw new InvalidBase64Error('invalid base64 data: wrong padding');
  return Buffer.from(payload, 'base64');
}

/**
 * `Buffer.from` skips characters outside the alphabet, so a result of exactly the length the
 * text's size implies proves every character was valid: one pass in C++ instead of a regex and
 * a replace over the whole string (1 ms of a 600 KB webcam frame). Undefined: use the slow path.
 * Except that it reads a character above U+00FF by its low byte ('Ł', U+0141, as 'A'), so the
 * text must be ASCII first: its UTF-8 length equals its length only then (a fuzzer's find).
 */
function decodeIfClean(payload: string): Buffer | undefined {
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  const data = payload.length - padding;
  if (data === 0 || data % 4 === 1 || (padding > 0 && payload.length % 4 !== 0)) return undefined;
  if (Buffer.byteLength(payload, 'utf8') !== payload.length) return undefined;
  const bytes = Buffer.from(payload, 'base64');
  return bytes.length === Math.floor((data * 3) / 4) ? bytes : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
