import { beforeAll, describe, expect, it } from 'vitest';

import {
  createEngine,
  EmotionError,
  EmptyInputError,
  ImageTooLargeError,
  InvalidBase64Error,
  InvalidImageError,
  InvalidOptionsError,
  UnsupportedFormatError,
  type Engine,
} from '../src/index.js';
import { FACE_FILES, pngClaiming, pseudoRandomBytes, readFace } from '@emotion/test-support';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

async function rejection(promise: Promise<unknown>): Promise<EmotionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmotionError);
  return error as EmotionError;
}

describe('bad input rejects with its typed error', () => {
  it('an empty buffer', async () => {
    const error = await rejection(engine.analyze(Buffer.alloc(0)));
    expect(error).toBeInstanceOf(EmptyInputError);
    expect(error.code).toBe('EMPTY_INPUT');
    expect(error.isInputError).toBe(true);
  });

  it('an empty string', async () => {
    expect(await rejection(engine.analyze(''))).toBeInstanceOf(EmptyInputError);
  });

  it('a truncated JPEG', async () => {
    const jpeg = readFace(FACE_FILES[0]!);
    const error = await rejection(engine.analyze(jpeg.subarray(0, Math.floor(jpeg.length / 3))));
    expect(error).toBeInstanceOf(InvalidImageError);
    expect(error.code).toBe('INVALID_IMAGE');
    expect(error.message).not.toMatch(/^INVALID_IMAGE/);
  });

  it('random bytes', async () => {
    const error = await rejection(engine.analyze(pseudoRandomBytes(4096)));
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.code).toBe('UNSUPPORTED_FORMAT');
  });

  it.each([
    ['junk characters', 'data:image/png;base64,iVBOR!!w0KGgo='],
    ['no comma', 'data:image/png;base64'],
    ['not base64-encoded', 'data:image/png,iVBORw0KGgo='],
    ['impossible length', 'data:image/png;base64,iVBORw0KG'],
    ['padding in the middle', 'iVBO=Rw0KGgo'],
    ['bare junk', '%%%%'],
  ])('a malformed data URL or base64 string (%s)', async (_, text) => {
    const error = await rejection(engine.analyze(text));
    expect(error).toBeInstanceOf(InvalidBase64Error);
    expect(error.code).toBe('INVALID_BASE64');
  });

  it('well-formed base64 of no image', async () => {
    const text = `data:image/png;base64,${Buffer.from('not an image at all').toString('base64')}`;
    expect(await rejection(engine.analyze(text))).toBeInstanceOf(UnsupportedFormatError);
  });

  it('a PNG header claiming 20000×20000, without allocating the pixels', async () => {
    const header = pngClaiming(20_000, 20_000);
    const rssBefore = process.memoryUsage().rss;
    const error = await rejection(engine.analyze(header));
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect(error.code).toBe('IMAGE_TOO_LARGE');
    // The pixels alone would be 1.2 GB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('an encoded image over maxEncodedBytes', async () => {
    const small = await createEngine({ maxEncodedBytes: 1000 });
    const error = await rejection(small.analyze(readFace(FACE_FILES[0]!)));
    expect(error).toBeInstanceOf(ImageTooLargeError);
  });

  it('a value that is no image input throws a TypeError', async () => {
    await expect(engine.analyze(42 as unknown as string)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('bad options', () => {
  it.each([{ maxFaces: -1 }, { minScore: 2 }, { intraThreads: 1.5 }, { smallFaceDetector: 'retinaface' as 'mtcnn' }])(
    '%o rejects with InvalidOptionsError',
    async (options) => {
      const error = await rejection(createEngine(options));
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error.code).toBe('INVALID_OPTIONS');
    },
  );
});
